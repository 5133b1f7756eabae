"""Command-line paths → the files to lint.

A file named on the command line is always linted (with `only_user_data`, as pre-commit
passes every changed file, it must look like user-data first). A directory is walked
recursively, skipping excluded and hidden directories, and yields the files whose name
matches an include pattern (templates for other tools excepted), or whose name matches
a SNIFF pattern and whose first line says it is user-data. A pattern with a `/` matches the path relative to the settings'
root; one without matches the file or directory name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from ..errors import BootstrapperError
from .config import SNIFF, Settings

STDIN = "-"
# A template for another tool (Jinja, Terraform's templatefile) becomes user-data only
# once rendered: linted when walking only if it already starts like user-data.
TEMPLATES = (".j2", ".jinja", ".tpl", ".tmpl")
_MARKERS = (b"#cloud-config", b"## template: jinja", b"#cloud-boothook", b"#include",
            b"#part-handler", b"mime-version:", b"content-type: multipart")


@dataclass(frozen=True)
class Input:
    """A file to lint: `name` is what findings show; `path` is None for standard input."""

    name: str
    path: Path | None


def expand(paths: list[str], settings: Settings, only_user_data: bool = False) -> list[Input]:
    """The files to lint, in a stable order, each once."""
    seen: set[str] = set()
    out = []
    for given in paths:
        for item in _one(given, settings, only_user_data):
            key = str(item.path.resolve()) if item.path else item.name
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out


def _one(given: str, settings: Settings, only_user_data: bool):
    if given == STDIN:
        yield Input("<stdin>", None)
        return
    path = Path(given)
    if path.is_dir():
        yield from _walk(path, settings)
    elif path.exists():
        if not only_user_data or _wanted(path, settings):
            yield Input(given, path)
    else:
        raise BootstrapperError(f"{given}: no such file or directory")


def _walk(top: Path, settings: Settings):
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError as err:
        raise BootstrapperError(f"{top}: cannot read directory: {err.strerror}") from err
    for entry in entries:
        path = Path(entry.path)
        if _excluded(path, settings):
            continue
        if entry.is_dir():
            if not entry.name.startswith("."):
                yield from _walk(path, settings)
        elif entry.is_file() and _wanted(path, settings):
            yield Input(str(path), path)


def _matches(path: Path, pattern: str, settings: Settings) -> bool:
    if "/" not in pattern:
        return fnmatch(path.name, pattern)
    try:
        relative = path.resolve().relative_to(Path(settings.root).resolve()).as_posix()
    except ValueError:
        relative = path.as_posix()
    return fnmatch(relative, pattern) or fnmatch(relative, pattern.rstrip("/") + "/*")


def _excluded(path: Path, settings: Settings) -> bool:
    return any(_matches(path, pattern, settings) for pattern in settings.exclude)


def _wanted(path: Path, settings: Settings) -> bool:
    if _excluded(path, settings):
        return False
    if path.suffix not in TEMPLATES and \
            any(_matches(path, pattern, settings) for pattern in settings.include):
        return True
    return any(fnmatch(path.name, pattern) for pattern in SNIFF) and _sniff(path)


def _sniff(path: Path) -> bool:
    """True when the file starts the way user-data does (cheap: reads 512 bytes)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(512).lstrip().lower()
    except OSError:
        return True  # let the lint itself report that it cannot be read
    return head.startswith(_MARKERS) or (b"mime-version:" in head and b"content-type:" in head)
