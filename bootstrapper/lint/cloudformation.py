"""User-data inside CloudFormation templates (YAML or JSON), linted in place.

`UserData` of `AWS::EC2::Instance`, `AWS::AutoScaling::LaunchConfiguration` and
`AWS::EC2::LaunchTemplate` (under `LaunchTemplateData`), written as a string,
`Fn::Base64`/`!Base64`, `Fn::Sub`/`!Sub` (string or [string, vars]) or
`Fn::Join`/`!Join` lists, in any nesting. The template is only *composed* by PyYAML's
SafeLoader, never constructed: composition keeps every node's line and column and records
CloudFormation's short tags (`!Sub`) as plain tags, so no CloudFormation-aware loader
(cfn-flip, cfn-lint) is needed, and JSON templates read the same way (JSON is YAML).
Each line of the user-data keeps the template line and column it came from.
"""

from __future__ import annotations

import re
from pathlib import Path

from .discover import Carrier, Input

CARRIERS = {"AWS::EC2::Instance": ("UserData",),
            "AWS::AutoScaling::LaunchConfiguration": ("UserData",),
            "AWS::EC2::LaunchTemplate": ("LaunchTemplateData", "UserData")}
SUFFIXES = (".yaml", ".yml", ".json", ".template")
PLACEHOLDER = "CFN_PLACEHOLDER"  # a ${...} CloudFormation fills in at deploy time
_SUB = re.compile(r"\$\{(!?)([^}]*)\}")
_MARK = re.compile(rb"AWS::(EC2::Instance|EC2::LaunchTemplate|AutoScaling::LaunchConfiguration)")


def looks_like(path: Path) -> bool:
    """A template that may carry user-data (cheap: reads at most 256 KiB)."""
    if path.suffix.lower() not in SUFFIXES:
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(256 * 1024)
    except OSError:
        return False
    return b"Resources" in head and bool(_MARK.search(head))


def _child(node, key: str):
    if type(node).__name__ == "MappingNode":
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return v
    return None


def inputs(path: Path) -> list[Input]:
    """The UserData of every instance / launch template / configuration in `path`."""
    import yaml  # lazy

    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    lines = text.split("\n")
    out = []
    resources = _child(root, "Resources")
    for key, resource in (resources.value if type(resources).__name__ == "MappingNode" else []):
        kind = getattr(_child(resource, "Type"), "value", "")
        if kind not in CARRIERS:
            continue
        node = _child(resource, "Properties")
        for step in CARRIERS[kind]:
            holder, node = node, _child(node, step)
        if node is None:
            continue
        pieces = _pieces(node, lines)
        if not pieces:
            continue
        body, line_map = _assemble(pieces)
        carrier = Carrier(str(path), key.start_mark.line + 1, f"{kind} {key.value}",
                          _tokens(holder), kind != "AWS::EC2::Instance")
        out.append(Input(str(path), path, body.encode("utf-8"), tuple(line_map), (carrier,),
                         f"UserData of {key.value} ({kind})"))
    return out


def _tokens(holder) -> str | None:
    options = _child(holder, "MetadataOptions")
    value = getattr(_child(options, "HttpTokens"), "value", None)
    return value if isinstance(value, str) else None


def _pieces(node, lines: list[str], sub: bool = False) -> list[tuple[str, int, int, bool]]:
    """(text, file line, column) pieces the value is made of, in order."""
    tag = node.tag or ""
    kind = type(node).__name__
    if kind == "ScalarNode":
        if tag in ("!Ref", "!GetAtt", "!ImportValue", "!Select", "!If", "!FindInMap"):
            return [(PLACEHOLDER, node.start_mark.line + 1, node.start_mark.column, False)]
        return [_scalar(node, lines, sub or tag == "!Sub")]
    if tag == "!Sub" and kind == "SequenceNode" and node.value:
        return _pieces(node.value[0], lines, True)
    if tag == "!Join" and kind == "SequenceNode":
        return _join(node, lines)
    if tag == "!Base64":
        return _pieces(_untagged(node), lines, sub)
    if kind == "MappingNode" and len(node.value) == 1:
        name, inner = node.value[0][0].value, node.value[0][1]
        if name == "Fn::Base64":
            return _pieces(inner, lines, sub)
        if name == "Fn::Sub":
            first = inner.value[0] if type(inner).__name__ == "SequenceNode" and inner.value \
                else inner
            return _pieces(first, lines, True)
        if name == "Fn::Join":
            return _join(inner, lines)
    return [(PLACEHOLDER, node.start_mark.line + 1, node.start_mark.column, False)]


def _untagged(node):
    node.tag = "tag:yaml.org,2002:map" if type(node).__name__ == "MappingNode" else node.tag
    return node


def _join(node, lines: list[str]) -> list[tuple[str, int, int, bool]]:
    if type(node).__name__ != "SequenceNode" or len(node.value) != 2:
        return []
    delimiter = getattr(node.value[0], "value", "")
    items = node.value[1].value if type(node.value[1]).__name__ == "SequenceNode" else []
    out: list[tuple[str, int, int, bool]] = []
    for index, item in enumerate(items):
        if index and delimiter:
            out.append((str(delimiter), item.start_mark.line + 1, item.start_mark.column,
                        False))
        out += _pieces(item, lines)
    return out


def _scalar(node, lines: list[str], sub: bool) -> tuple[str, int, int, bool]:
    from ..userdata.cloudconfig import content_start

    value = str(node.value)
    if sub:
        value = _SUB.sub(lambda m: "${" + m.group(2) + "}" if m.group(1) else PLACEHOLDER,
                         value)
    offset, column = content_start(node, lines)
    return value, offset + 1, column, node.style in ("|", ">")


def _assemble(pieces: list[tuple[str, int, int, bool]]) -> tuple[str, list[tuple[int, int]]]:
    """The user-data text, and for each of its lines the (file line, column) it starts at.
    A piece that is a block scalar spans file lines one to one; a quoted piece with
    escaped line breaks keeps its own line."""
    text = ""
    line_map: list[tuple[int, int]] = []
    at_start = True
    for value, line, column, block in pieces:
        rows = value.split("\n")
        for number, row in enumerate(rows):
            if at_start and (row or number < len(rows) - 1):
                line_map.append((line + number if block else line, column))
                at_start = False
            text += row
            if number < len(rows) - 1:
                text += "\n"
                at_start = True
    return text if text.endswith("\n") else text + "\n", line_map or [(1, 0)]
