"""Command-line paths → the files to lint.

A file named on the command line is always linted (with `only_user_data`, as pre-commit
passes every changed file, it must look like user-data first). A directory is walked
recursively, skipping excluded and hidden directories, and yields the files whose name
matches an include pattern (templates for other tools excepted), or whose name matches
a SNIFF pattern and whose first line says it is user-data. A pattern with a `/` matches the path relative to the settings'
root; one without matches the file or directory name.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, replace
from typing import Callable
from fnmatch import fnmatch
from pathlib import Path

from ..errors import BootstrapperError
from .config import Settings

STDIN = "-"
# A template for another tool (Jinja, Terraform's templatefile) becomes user-data only
# once rendered: linted when walking only if it already starts like user-data.
TEMPLATES = (".j2", ".jinja", ".tpl", ".tmpl")
_MARKERS = (b"#cloud-config", b"## template: jinja", b"#cloud-boothook", b"#include",
            b"#part-handler", b"mime-version:", b"content-type: multipart", b"<powershell>")


# Names and places user-data lives under in repositories (files, or directories holding it)
PLACES = ("user-data*", "user_data*", "userdata*", "cloud-init*", "cloud-config*",
          "bootstrap*")
_HEADERLESS = re.compile(rb"^(runcmd|bootcmd|write_files|packages|users|package_update):",
                         re.M)


@dataclass(frozen=True)
class Carrier:
    """What hands a user-data to EC2: a launch template or instance (Terraform or
    CloudFormation), with its metadata options (None: not set there)."""

    file: str
    line: int
    what: str  # e.g. 'aws_launch_template.web', 'AWS::EC2::LaunchTemplate WebLT'
    http_tokens: str | None
    checkable: bool = True  # False for a module input: the module sets its own options


@dataclass(frozen=True)
class Fault:
    """A problem met while finding user-data (a reference that cannot be followed), at a
    line and column of the file that holds the reference."""

    line: int
    column: int
    severity: str
    message: str


@dataclass(frozen=True)
class Input:
    """A file to lint: `name` is what findings show; `path` is None for standard input.
    `text` is user-data written inside another file (a .tf heredoc, a CloudFormation
    UserData): its line n is line `line_map[n-1][0]` of `name`, shifted right by
    `line_map[n-1][1]`. `reason` says why it is linted (for --verbose). `faults` are
    findings about the reference that led here (then `text` is empty: nothing to lint)."""

    name: str
    path: Path | None
    text: bytes | None = None
    line_map: tuple[tuple[int, int], ...] | None = None
    carriers: tuple[Carrier, ...] = ()
    reason: str = "named on the command line"
    faults: tuple[Fault, ...] = ()


Log = Callable[[str, str], None]  # (path, "linted: why" / "skipped: why"), for --verbose


def expand(paths: list[str], settings: Settings, only_user_data: bool = False,
           log: Log | None = None) -> list[Input]:
    """The files to lint, in a stable order, each once."""
    _handed.cache_clear()  # files may have changed since the last call in this process
    seen: dict[str, int] = {}
    out = []
    notes: list[tuple[str, str]] = []
    note = (lambda path, why: notes.append((path, why))) if log else (lambda path, why: None)
    for given in paths:
        for item in _one(given, settings, only_user_data, note):
            key = str(item.path.resolve()) if item.path else item.name
            if item.line_map:
                key += f":{item.line_map[0][0]}"
            if item.faults:
                key += f":{item.faults[0].column}:{item.faults[0].message}"
            if key not in seen:
                seen[key] = len(out)
                out.append(item)
                note(item.name, f"linted: {item.reason}")
            elif item.carriers:  # one file handed to EC2 by several blocks: linted once
                first = out[seen[key]]
                out[seen[key]] = replace(first, carriers=first.carriers + item.carriers)
    if log:  # a file skipped by its name but reached through Terraform was linted
        linted = {str(Path(item.name).resolve()) for item in out if item.path}
        for path, why in notes:
            if not (why.startswith("skipped") and str(Path(path).resolve()) in linted):
                log(path, why)
    return out


def _one(given: str, settings: Settings, only_user_data: bool, note: Log):
    if given == STDIN:
        yield Input("<stdin>", None, reason="standard input")
        return
    path = Path(given)
    if path.is_dir():
        yield from _walk(path, settings, note)
    elif path.suffix == ".tf" and path.is_file():  # its user-data, never the HCL itself
        yield from _terraform(path, settings, note)
    elif path.is_file() and (found := _cloudformation(path, settings, note)) is not None:
        yield from found  # the same for a CloudFormation template
    elif path.exists():
        why = _why(path, settings) or _referenced(path, settings)
        if not only_user_data or why:
            yield Input(given, path, reason=why or "named on the command line")
        else:
            note(given, "skipped: not named, placed or written like user-data, and no .tf "
                        "near it hands it to EC2")
    else:
        raise BootstrapperError(f"{given}: no such file or directory")


def _walk(top: Path, settings: Settings, note: Log, placed: str = ""):
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError as err:
        raise BootstrapperError(f"{top}: cannot read directory: {err.strerror}") from err
    for entry in entries:
        path = Path(entry.path)
        if _excluded(path, settings):
            note(str(path), "skipped: excluded (exclude setting or --exclude)")
            continue
        if entry.is_dir():
            if entry.name.startswith("."):
                note(str(path), "skipped: a hidden directory")
            else:
                inside = placed or (f"under {path}/, named like user-data"
                                    if _placed(path) else "")
                yield from _walk(path, settings, note, inside)
        elif not entry.is_file():
            continue
        elif path.suffix == ".tf":
            yield from _terraform(path, settings, note)
        elif (found := _cloudformation(path, settings, note)) is not None:
            yield from found
        else:
            why = placed if placed and path.suffix not in TEMPLATES else _why(path, settings)
            if why:
                yield Input(str(path), path, reason=why)
            else:
                note(str(path), "skipped: " + _why_not(path))


def _placed(path: Path) -> bool:
    return any(fnmatch(path.name.lower(), pattern) for pattern in PLACES)


def _terraform(path: Path, settings: Settings, note: Log):
    """The user-data a .tf file hands to EC2: referenced files, and inline heredocs."""
    from . import terraform

    found = terraform.inputs(path, Path(settings.root))
    note(str(path), f"read as Terraform: {len(found)} user-data handed to EC2")
    yield from found


def _cloudformation(path: Path, settings: Settings, note: Log) -> list[Input] | None:
    """The UserData inputs of a CloudFormation template (None when it is none): inline
    ones, and the files of the repository they name."""
    from . import cloudformation

    if not cloudformation.looks_like(path):
        return None
    found = cloudformation.inputs(path, Path(settings.root))
    note(str(path), f"read as CloudFormation: {len(found)} UserData")
    return found


def _referenced(path: Path, settings: Settings) -> str:
    """Why a file named on the command line (by pre-commit) is user-data even though its
    name says nothing: a .tf or CloudFormation template in its directory or up to three
    above hands it to EC2."""
    target = path.resolve()
    directory = target.parent
    for _ in range(4):
        why = _handed(directory, str(Path(settings.root).resolve())).get(target)
        if why:
            return why
        if directory.parent == directory:
            break
        directory = directory.parent
    return ""


@functools.lru_cache(maxsize=64)
def _handed(directory: Path, root: str) -> dict[Path, str]:
    """The files the .tf files and CloudFormation templates of `directory` hand to EC2,
    each with why (read once per directory and expand() call: pre-commit names many files
    of one directory)."""
    from . import cloudformation, terraform

    try:
        nearby = sorted(directory.iterdir())
    except OSError:  # unreadable: nothing there can be read either
        return {}
    out: dict[Path, str] = {}
    for near in nearby:
        if near.suffix == ".tf":
            found = terraform.inputs(near, Path(root))
        elif near.is_file() and cloudformation.looks_like(near):
            found = cloudformation.inputs(near, Path(root))
        else:
            continue
        for item in found:
            if item.path is not None and item.text is None:
                out.setdefault(item.path.resolve(), item.reason)
    return out


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


def _why(path: Path, settings: Settings) -> str:
    """Why `path` is user-data by its name, place or content ("" when it is not)."""
    if _excluded(path, settings):
        return ""
    if path.suffix in TEMPLATES:  # another tool's template: only once it reads as user-data
        return "starts like user-data" if _sniff(path) else ""
    for pattern in settings.include:
        if _matches(path, pattern, settings):
            return f"matches include pattern {pattern!r}"
    if _placed(path):
        return "named like user-data"
    for part in _inside(path, settings)[:-1]:
        if _placed(Path(part)):
            return f"under a directory named like user-data ({part}/)"
    return "starts like user-data" if _sniff(path) else ""


def _inside(path: Path, settings: Settings) -> tuple[str, ...]:
    """The parts of `path` below the settings' root (all of them when it is elsewhere):
    a checkout at /home/ci/userdata-service/ does not make every file user-data."""
    try:
        return path.resolve().relative_to(Path(settings.root).resolve()).parts
    except ValueError:
        return path.parts


def _why_not(path: Path) -> str:
    if path.suffix in TEMPLATES:
        return "a template for another tool whose content does not start like user-data"
    return "not named or placed like user-data, and its first bytes are not user-data's"


def _sniff(path: Path) -> bool:
    """True when the file starts the way user-data does (cheap: reads 512 bytes)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(512).lstrip().lower()
    except OSError:
        return True  # let the lint itself report that it cannot be read
    if head.startswith(_MARKERS) or (b"mime-version:" in head and b"content-type:" in head):
        return True
    if path.suffix in (".yaml", ".yml", ".cfg"):  # a cloud-config missing its header line
        return len(set(_HEADERLESS.findall(head))) >= 2
    return False
