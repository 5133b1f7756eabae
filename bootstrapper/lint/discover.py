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
import re
from dataclasses import dataclass, replace
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
class Input:
    """A file to lint: `name` is what findings show; `path` is None for standard input.
    `text` is user-data written inside another file (a .tf heredoc, a CloudFormation
    UserData): its line n is line `line_map[n-1][0]` of `name`, shifted right by
    `line_map[n-1][1]`. `reason` says why it is linted (for --verbose)."""

    name: str
    path: Path | None
    text: bytes | None = None
    line_map: tuple[tuple[int, int], ...] | None = None
    carriers: tuple[Carrier, ...] = ()
    reason: str = "named on the command line"


def expand(paths: list[str], settings: Settings, only_user_data: bool = False) -> list[Input]:
    """The files to lint, in a stable order, each once."""
    seen: dict[str, int] = {}
    out = []
    for given in paths:
        for item in _one(given, settings, only_user_data):
            key = str(item.path.resolve()) if item.path else item.name
            if item.line_map:
                key += f":{item.line_map[0][0]}"
            if key not in seen:
                seen[key] = len(out)
                out.append(item)
            elif item.carriers:  # one file handed to EC2 by several blocks: linted once
                first = out[seen[key]]
                out[seen[key]] = replace(first, carriers=first.carriers + item.carriers)
    return out


def _one(given: str, settings: Settings, only_user_data: bool):
    if given == STDIN:
        yield Input("<stdin>", None)
        return
    path = Path(given)
    if path.is_dir():
        yield from _walk(path, settings)
    elif path.suffix == ".tf" and path.is_file():  # its user-data, never the HCL itself
        yield from _terraform(path, settings)
    elif path.is_file() and _cloudformation(path):  # the same for a CloudFormation template
        yield from _cloudformation(path)
    elif path.exists():
        if not only_user_data or _wanted(path, settings):
            yield Input(given, path)
    else:
        raise BootstrapperError(f"{given}: no such file or directory")


def _walk(top: Path, settings: Settings, placed: bool = False):
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
                yield from _walk(path, settings, placed or _placed(path))
        elif entry.is_file() and path.suffix == ".tf":
            yield from _terraform(path, settings)
        elif entry.is_file() and _cloudformation(path):
            yield from _cloudformation(path)
        elif entry.is_file() and ((placed and path.suffix not in TEMPLATES)
                                  or _wanted(path, settings)):
            yield Input(str(path), path)


def _placed(path: Path) -> bool:
    return any(fnmatch(path.name.lower(), pattern) for pattern in PLACES)


def _terraform(path: Path, settings: Settings):
    """The user-data a .tf file hands to EC2: referenced files, and inline heredocs."""
    from . import terraform

    yield from terraform.inputs(path, Path(settings.root))


def _cloudformation(path: Path) -> list[Input]:
    """The UserData inputs of a CloudFormation template ([] when it is none)."""
    from . import cloudformation

    return cloudformation.inputs(path) if cloudformation.looks_like(path) else []


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
    if path.suffix in TEMPLATES:  # another tool's template: only once it reads as user-data
        return _sniff(path)
    if any(_matches(path, pattern, settings) for pattern in settings.include):
        return True
    return _placed(path) or any(_placed(Path(part)) for part in path.parts[:-1]) \
        or _sniff(path)


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
