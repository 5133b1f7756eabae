"""A content-addressed record of outputs that already passed validation.

Validation (jsonschema, shellcheck) costs far more than rendering. An output whose exact
bytes were validated before, by this version with this schema, is valid again: so a render
that repeats (Terraform runs the data source on every plan) skips it. Set
BOOTSTRAPPER_NO_CACHE=1 to always validate.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from . import __version__


def _directory(environ=os.environ) -> Path | None:
    if environ.get("BOOTSTRAPPER_NO_CACHE"):
        return None
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "bootstrapper" / "validated"


def key(text: str, *salt: str) -> str:
    h = hashlib.sha256()
    for part in (__version__, *salt, text):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def seen(digest: str, environ=os.environ) -> bool:
    directory = _directory(environ)
    return directory is not None and (directory / digest).exists()


def remember(digest: str, environ=os.environ) -> None:
    directory = _directory(environ)
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / digest).touch()
    except OSError:
        pass  # a cache that cannot be written only costs time
