"""User-data inside CloudFormation templates (YAML or JSON), linted in place.

`UserData` of `AWS::EC2::Instance`, `AWS::AutoScaling::LaunchConfiguration` and
`AWS::EC2::LaunchTemplate` (under `LaunchTemplateData`), written as a string,
`Fn::Base64`/`!Base64`, `Fn::Sub`/`!Sub` (string or [string, vars]) or
`Fn::Join`/`!Join` lists, in any nesting. The template is only *composed* by PyYAML's
SafeLoader, never constructed: composition keeps every node's line and column and records
CloudFormation's short tags (`!Sub`) as plain tags, so no CloudFormation-aware loader
(cfn-flip, cfn-lint) is needed, and JSON templates read the same way (JSON is YAML).
Each line of the user-data keeps the template line and column it came from.

A UserData may instead name a file of the repository that a tool puts in its place before
CloudFormation sees the template (see `references`): that file is linted as a user-data
file of its own, carried by the same resource, the way Terraform's `templatefile()`
targets are.
"""

from __future__ import annotations

import re
from pathlib import Path

from .discover import Carrier, Fault, Input

CARRIERS = {"AWS::EC2::Instance": ("UserData",),
            "AWS::AutoScaling::LaunchConfiguration": ("UserData",),
            "AWS::EC2::LaunchTemplate": ("LaunchTemplateData", "UserData")}
SUFFIXES = (".yaml", ".yml", ".json", ".template")
PLACEHOLDER = "CFN_PLACEHOLDER"  # a ${...} CloudFormation fills in at deploy time
_SUB = re.compile(r"\$\{(!?)([^}]*)\}")
_MARK = re.compile(rb"AWS::(EC2::Instance|EC2::LaunchTemplate|AutoScaling::LaunchConfiguration)")
# Serverless Framework: a value that is only `${file(./path)}` is the file's text when the
# file is not YAML, JSON or JavaScript
_SLS_FILE = re.compile(r"""\$\{file\(\s*['"]?([^'")]+?)['"]?\s*\)\}""")
_SLS_DATA = (".yml", ".yaml", ".json", ".js", ".cjs", ".mjs", ".ts", ".tfstate")
_WHOLE_VARIABLE = re.compile(r"\s*\$\{[^{}]*\}\s*")  # `!Sub "${UserData}"`, `${ssm:...}`
_REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


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


def inputs(path: Path, repo: Path | None = None) -> list[Input]:
    """The UserData of every instance / launch template / configuration in `path`, and
    the files of the repository (`repo`, default: the template's directory) it names."""
    import yaml  # lazy

    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    lines = text.split("\n")
    out = []
    # a serverless.yml keeps its CloudFormation under `resources:`
    resources = _child(root, "Resources") or _child(_child(root, "resources"), "Resources")
    for key, resource in (resources.value if type(resources).__name__ == "MappingNode" else []):
        kind = getattr(_child(resource, "Type"), "value", "")
        if kind not in CARRIERS:
            continue
        node = _child(resource, "Properties")
        for step in CARRIERS[kind]:
            holder, node = node, _child(node, step)
        if node is None:
            continue
        carrier = Carrier(str(path), key.start_mark.line + 1, f"{kind} {key.value}",
                          _tokens(holder), kind != "AWS::EC2::Instance")
        what = f"UserData of {key.value} ({kind})"
        for ref, form, at in references(node):
            out.append(_followed(path, repo or path.parent, ref, form, at, carrier, what))
        inner = _unwrapped(node)
        if _reference(inner) or _WHOLE_VARIABLE.fullmatch(str(getattr(inner, "value", ""))):
            continue  # the whole UserData is a file, or a value filled in later: no text here
        pieces = _pieces(node, lines)
        if not pieces:
            continue
        body, line_map = _assemble(pieces)
        out.append(Input(str(path), path, body.encode("utf-8"), tuple(line_map), (carrier,),
                         what))
    return [item for item in out if item is not None]


def references(node) -> list[tuple[str, str, tuple[int, int]]]:
    """(path, form, (line, column)) of each file of the repository the UserData `node`
    is made of, anywhere inside it. The forms are those of the tools that put a file's
    text in the template before CloudFormation reads it:
    - rain (`rain pkg`, `rain deploy`): `!Rain::Embed path` / `Rain::Embed: path`, the
      text with its ends trimmed, the path relative to the template;
    - cfn-include: `Fn::Include` / `!Include` with `type: string` (or the deprecated
      `literal`) and a local `location`, relative to the template;
    - the Serverless Framework: a value that is only `${file(./path)}` (a file that is
      not YAML, JSON or JavaScript is its text), relative to the service directory,
      which is the serverless.yml's.
    Remote locations (s3://, https://) are not files of the repository: not listed."""
    out = []
    stack = [node]
    while stack:
        item = stack.pop()
        found = _reference(item)
        if found:
            ref, form, mark = found
            if not _REMOTE.match(ref):
                out.append((ref, form, (mark.line + 1, mark.column + 1)))
            continue
        kind = type(item).__name__
        if kind == "SequenceNode":
            stack += reversed(item.value)
        elif kind == "MappingNode":
            stack += reversed([value for _, value in item.value])
    return out


def _reference(node) -> tuple[str, str, object] | None:
    """(path, form, where the path is written) when `node` stands for a file's text (see
    `references`)."""
    if node is None:
        return None
    tag, kind = node.tag or "", type(node).__name__
    if kind == "ScalarNode" and tag == "!Rain::Embed":
        return str(node.value), "!Rain::Embed", node.start_mark
    if kind == "MappingNode" and tag == "!Include":
        return _include(node, "!Include")
    if kind == "MappingNode" and len(node.value) == 1:
        name, inner = node.value[0][0].value, node.value[0][1]
        if name == "Rain::Embed" and type(inner).__name__ == "ScalarNode":
            return str(inner.value), "Rain::Embed", inner.start_mark
        if name == "Fn::Include":
            return _include(inner, "Fn::Include")
    if kind == "ScalarNode" and not tag.startswith("!"):
        match = _SLS_FILE.fullmatch(str(node.value).strip())
        if match and not match.group(1).lower().endswith(_SLS_DATA):
            return match.group(1), "${file()}", node.start_mark
    return None


def _include(node, form: str) -> tuple[str, str, object] | None:
    """cfn-include's `{type: string, location: path}`: the file's text (type `json`, the
    default, includes a template fragment, which is not user-data)."""
    if type(node).__name__ != "MappingNode":
        return None
    fields = {getattr(k, "value", None): v for k, v in node.value}
    kind, location = (getattr(fields.get(name), "value", None) for name in ("type", "location"))
    if kind in ("string", "literal") and isinstance(location, str):
        return location, f"{form} type {kind}", fields["location"].start_mark
    return None


def _unwrapped(node):
    """The value inside any Fn::Base64 / Fn::Sub around it (their short forms too)."""
    tagged = True
    while node is not None:
        tag, kind = (node.tag or "") if tagged else "", type(node).__name__
        tagged = True
        if tag in ("!Base64", "!Sub") and kind == "SequenceNode":
            node = node.value[0] if node.value else None  # !Sub [text, variables]
        elif tag in ("!Base64", "!Sub") and kind == "MappingNode":
            tagged = False  # the tag's argument is this very mapping
        elif kind == "MappingNode" and len(node.value) == 1 and \
                node.value[0][0].value in ("Fn::Base64", "Fn::Sub"):
            name, inner = node.value[0][0].value, node.value[0][1]
            listed = name == "Fn::Sub" and type(inner).__name__ == "SequenceNode" and inner.value
            node = inner.value[0] if listed else inner
        else:
            return node
    return None


def _followed(template: Path, repo: Path, ref: str, form: str, at: tuple[int, int],
              carrier: Carrier, what: str) -> Input:
    """The referenced file as an Input, or an Input holding the one finding that says why
    it cannot be followed (outside the repository, or missing)."""
    reason = f"{what}, through {form} ({template}:{at[0]})"
    said = f"{what} takes its text from {ref!r} ({form})"
    try:
        target = Path(ref).expanduser()
        target = target if target.is_absolute() else template.parent / target
        resolved = target.resolve()
    except (OSError, RuntimeError, ValueError) as err:  # ~nobody/, a symlink loop, a NUL
        fault = Fault(at[0], at[1], "error", f"{said}, a path that cannot be resolved "
                      f"({err}): nothing to lint")
        return Input(str(template), template, b"", ((at[0], 0),), reason=reason,
                     faults=(fault,))
    if not resolved.is_relative_to(repo.resolve()):
        fault = Fault(at[0], at[1], "warning", f"{said}, which is outside the repository "
                      f"({repo.resolve()}): not followed, so not linted")
    elif not resolved.is_file():
        fault = Fault(at[0], at[1], "error", f"{said}, which does not exist (looked for "
                      f"{target}): the tool that fills it in fails, and there is nothing "
                      "to lint")
    else:
        return Input(str(target), target, carriers=(carrier,), reason=reason)
    return Input(str(template), template, b"", ((at[0], 0),), reason=reason, faults=(fault,))


def _tokens(holder) -> str | None:
    options = _child(holder, "MetadataOptions")
    value = getattr(_child(options, "HttpTokens"), "value", None)
    return value if isinstance(value, str) else None


def _pieces(node, lines: list[str], sub: bool = False) -> list[tuple[str, int, int, bool]]:
    """(text, file line, column) pieces the value is made of, in order."""
    tag = node.tag or ""
    kind = type(node).__name__
    if _reference(node):  # a file's text: linted as a file of its own
        return [(PLACEHOLDER, node.start_mark.line + 1, node.start_mark.column, False)]
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
