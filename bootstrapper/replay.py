"""Replay a command that already succeeded with the same inputs, importing almost nothing.

A render or a Terraform data source read is a pure function of its command line, its
working directory, its stdin (terraform's query), and the bytes of the files it read: the
profile, the user's --template / --template-dir / --part files, the built-in templates and
the built-in schema. After a successful run that printed to stdout, its stdout and stderr
are stored under a key of the first four, beside the digest of every file it read
(`commands/` in the cache, see cache.py). The next identical command finds that entry,
checks every file's digest again, and prints what was stored: no profile module, YAML,
Jinja or validation is imported (Terraform runs the data source on every plan; CI renders
on every push). Anything that differs — one byte of one file, a file gone, another
working directory, BOOTSTRAPPER_NO_CACHE — is a miss, and the command runs as usual.

Kept to `os`, `hashlib` and `json`: the point of this module is what it does not import.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys

from . import __version__

KIND = "commands"


def directory(environ=os.environ) -> str | None:
    """cache.directory(KIND), without pathlib (see cache.py for the rule)."""
    if environ.get("BOOTSTRAPPER_NO_CACHE"):
        return None
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "bootstrapper", KIND)


# Two installs of one version (a checkout and a wheel, two worktrees) share ~/.cache: each
# keeps its own entries.
INSTALL = os.path.dirname(os.path.abspath(__file__))


def key(command: str, args: list[str], stdin: bytes = b"") -> str:
    h = hashlib.sha256()
    for part in (__version__, INSTALL, command, os.getcwd(), *args):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    h.update(b"\1" + stdin)
    return h.hexdigest()


def _feed(h, path: str) -> None:
    """A regular file's bytes, read in pieces; anything else (/dev/zero, a FIFO) is refused:
    it may never end, reading it could change it, and opening a FIFO waits for a writer."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(f"{path}: not a regular file")
    with open(path, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{path}: not a regular file")
        for piece in iter(lambda: handle.read(1 << 20), b""):
            h.update(piece)


def digest(path: str) -> str:
    """The digest of a file's bytes, or of a directory's file names and bytes (sorted); ""
    when it cannot be read or is not a regular file (never equal to a stored digest)."""
    h = hashlib.sha256()
    try:
        if os.path.isdir(path):
            seen: set[str] = set()
            # Symlinked directories are followed, as Jinja's loader follows them (each
            # real directory once: a link loop ends).
            for root, dirs, files in os.walk(path, followlinks=True):
                real = os.path.realpath(root)
                if real in seen:
                    dirs[:] = []
                    continue
                seen.add(real)
                dirs.sort()
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if not os.path.isfile(full):
                        continue  # a FIFO or device in a template directory: no template
                    h.update(os.path.relpath(full, path).encode("utf-8", "surrogateescape"))
                    h.update(b"\0")
                    _feed(h, full)
                    h.update(b"\0")
        else:
            _feed(h, path)
    except OSError:
        return ""
    return h.hexdigest()


def lookup(digest_key: str) -> dict | None:
    """The stored run for `digest_key` when every file it read is unchanged, else None."""
    where = directory()
    if where is None:
        return None
    try:
        with open(os.path.join(where, digest_key), encoding="utf-8") as handle:
            entry = json.load(handle)
        files = entry["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for path, stored in files:
        if digest(path) != stored:
            return None
    return entry


def replay(entry: dict) -> int:
    """Print a stored run; 0. A binary (gzip) output is not replayed to a terminal: the
    command itself refuses that, with its message."""
    out = entry["stdout"].encode("latin-1")
    if entry.get("binary") and sys.stdout.isatty():
        return -1
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    if entry["stderr"]:
        sys.stderr.write(entry["stderr"])
    return 0


def store(digest_key: str, files: list[str] | None, stdout: bytes, stderr: str,
          binary: bool = False, **extra: object) -> None:
    """Remember a successful run (atomically; a cache that cannot be written costs time).
    `extra` is kept beside it for the caller (reconfigure.py keeps the helper script)."""
    where = directory()
    if where is None or files is None:
        return
    entry = {"files": [[os.path.abspath(p), digest(p)] for p in dict.fromkeys(files)],
             "stdout": stdout.decode("latin-1"), "stderr": stderr, "binary": binary, **extra}
    if any(not stored for _, stored in entry["files"]):
        return
    try:
        write(where, digest_key, json.dumps(entry))
    except OSError:
        pass


def write(where: str, name: str, text: str) -> None:
    """`text` as where/name, all or nothing for a concurrent reader: written to a temp file
    beside it, then renamed over it. The temp file is created new (0600, never through a
    link someone planted under its name) in a directory made 0700."""
    os.makedirs(where, mode=0o700, exist_ok=True)
    tmp = os.path.join(where, f".{name}.{os.getpid()}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except FileExistsError:  # left by a process of this pid that died, or planted
        os.unlink(tmp)  # a link itself, not what it points to
        fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, os.path.join(where, name))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def inputs_of(profile, profile_path: str | None) -> list[str] | None:
    """Every file a successful render of `profile` read, or None when one cannot be named
    again (stdin) or the render read files not listed here (--part): such runs are not
    stored."""
    from .render import builtin_dir
    from .schema import SCHEMA_PATH

    paths = [p for p in (profile_path, profile.template, profile.template_dir) if p]
    if profile.parts or "-" in paths:
        return None
    return paths + [str(builtin_dir()), str(SCHEMA_PATH.parent)]
