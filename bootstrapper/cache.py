"""Content-addressed caches that make repeated runs cheap (Terraform runs the data source on
every plan, CI renders the same profiles on every push).

- `validated/`: outputs whose exact bytes already passed validation (jsonschema and
  shellcheck cost far more than rendering).
- `rendered/`: rendered text keyed by every input of the render: this version, the
  validated profile, and the bytes of every template file the loader could read. The render
  is a pure function of those, so a hit is exact.
- `jinja/`: Jinja's own bytecode cache, for renders that miss.
- `shellcheck/`: shellcheck's findings per script (see shellcheck.py), for lint and renders.
- `commands/`: what a successful render or terraform run printed, keyed by its command
  line, working directory and stdin, with the digest of every file it read (see replay.py);
  and a terraform result under a key without the helper's configuration values, for the
  next query that differs only in those (see reconfigure.py; `.KEY.lock` files let the
  first data source of such a key render while the others wait for it).

Set BOOTSTRAPPER_NO_CACHE=1 to bypass all of them. A cache that cannot be written only
costs time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from . import __version__


def directory(kind: str, environ=os.environ) -> Path | None:
    if environ.get("BOOTSTRAPPER_NO_CACHE"):
        return None
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "bootstrapper" / kind


def key(text: str, *salt: str) -> str:
    from .replay import INSTALL

    h = hashlib.sha256()
    for part in (__version__, INSTALL, *salt, text):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def seen(digest: str, environ=os.environ) -> bool:
    where = directory("validated", environ)
    return where is not None and (where / digest).exists()


def remember(digest: str, environ=os.environ) -> None:
    store("validated", digest, "", environ)


def load(kind: str, digest: str, environ=os.environ) -> str | None:
    where = directory(kind, environ)
    if where is None:
        return None
    try:
        return (where / digest).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def store(kind: str, digest: str, text: str, environ=os.environ) -> None:
    """Write atomically (replay.write): a concurrent reader sees all or nothing."""
    from .replay import write

    where = directory(kind, environ)
    if where is None:
        return
    try:
        write(str(where), digest, text)
    except OSError:
        pass


def tree_digest(paths: list[Path]) -> str:
    """One digest over the names and bytes of every file below `paths` (sorted, stable),
    through symlinked directories as Jinja's loader reads them (replay.digest); "" when one
    cannot be read or is not a regular file or directory (then nothing is cached)."""
    from .replay import digest

    h = hashlib.sha256()
    for root in paths:
        part = digest(str(root))
        if not part:
            return ""
        h.update(str(root).encode("utf-8", "surrogateescape") + b"\0")
        h.update(part.encode("ascii") + b"\0")
    return h.hexdigest()
