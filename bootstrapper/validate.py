"""Rendered user-data → findings. A render with any finding is refused, never printed.

cloud-config: starts with `#cloud-config`, parses as YAML with no duplicate keys, is a
mapping, passes the cloud-config schema, and every script it carries (write_files entries
with a `#!/bin/sh`-like shebang, runcmd/bootcmd strings) is shellcheck-clean.
shell: starts with `#!`, and it and every script it installs through a quoted here-document
are `shellcheck -s sh` clean.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from . import cache, schema
from .problem import Problem

if TYPE_CHECKING:
    from .shellcheck import Script

# SC2016 (a `$` in single quotes: meant to expand?) and SC1003 (a `\` in single quotes:
# meant to escape a quote?) question the intent of single-quoted words. In rendered output
# those words come from the `sh` filter, whose whole point is a literal value.
RENDER_EXCLUDE = ("SC1003", "SC2016")
SH_SHEBANG = re.compile(r"#!\s*(/usr)?/bin/(env\s+)?(sh|dash|ash|bash)\b")
_HEREDOC = re.compile(r"<<-?\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*$")


def check(text: str, kind: str, origin: str = "<rendered>") -> list[Problem]:
    """Validate rendered `text` of `kind` ("cloud-config" or "shell")."""
    digest = cache.key(text, kind, schema.SCHEMA_PATH.read_text(encoding="utf-8"))
    if cache.seen(digest):
        return []
    problems = _check_cloud_config(text, origin) if kind == "cloud-config" \
        else _check_shell(text, origin)
    if not problems:
        cache.remember(digest)
    return problems


def _problem(origin: str, line: int, rule: str, message: str, column: int = 0) -> Problem:
    return Problem(origin, line, column, rule, "error", message)


# --- cloud-config ---------------------------------------------------------------------


def _check_cloud_config(text: str, origin: str) -> list[Problem]:
    import yaml  # lazy

    if not text.startswith("#cloud-config\n"):
        return [_problem(origin, 1, "format", "cloud-config must start with '#cloud-config'")]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        _reject_duplicate_keys(node, origin)
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        column = mark.column + 1 if mark else 0
        problem = getattr(err, "problem", None) or str(err)
        return [_problem(origin, line, "yaml-syntax", problem, column)]
    if not isinstance(document, dict):
        return [_problem(origin, 1, "schema", "cloud-config must be a mapping of module keys")]
    from . import shellcheck  # lazy: only when validating (a cache miss)

    try:
        scripts = list(_carried_scripts(document, node, origin))
    except (AttributeError, TypeError):  # not the shape the schema asks for: it says so below
        scripts = []
    running = shellcheck.start(scripts)  # its own process, while the schema is checked here
    problems = [
        _problem(origin, _line_of(node, path), "schema", f"{path}: {message}")
        for path, message in schema.errors(document)
    ]
    found = running.result()
    return problems or found


class _DuplicateKey(Exception):
    pass


def _reject_duplicate_keys(node: Any, origin: str) -> None:
    """YAML silently keeps the last of two equal keys; a template that emits two is a bug."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                raise yaml.MarkedYAMLError(problem=f"duplicate key {key.value!r}",
                                           problem_mark=key.start_mark)
            seen.add(key.value)
            _reject_duplicate_keys(value, origin)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(item, origin)


def _child(node: Any, step: str) -> Any:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == step:
                return value
    if isinstance(node, yaml.SequenceNode) and step.isdigit() and int(step) < len(node.value):
        return node.value[int(step)]
    return None


def _line_of(node: Any, path: str) -> int:
    """1-based line of the node at dotted `path` (the deepest one that exists)."""
    line = 1
    for step in [] if path == "(top level)" else path.split("."):
        node = _child(node, step)
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _carried_scripts(document: dict, node: Any, origin: str):
    from .shellcheck import Script

    for index, entry in enumerate(document.get("write_files") or []):
        content = entry.get("content")
        if isinstance(content, str) and SH_SHEBANG.match(content) and not entry.get("encoding"):
            scalar = _child(_child(_child(node, "write_files"), str(index)), "content")
            offset = scalar.start_mark.line + (1 if scalar.style in ("|", ">") else 0)
            yield Script(content, origin, offset, _shell_of(content), RENDER_EXCLUDE)
    for module in ("bootcmd", "runcmd"):
        for index, item in enumerate(document.get(module) or []):
            if isinstance(item, str):
                line = _child(_child(node, module), str(index)).start_mark.line
                yield Script(item + "\n", origin, line, "sh", ("SC2148",) + RENDER_EXCLUDE)


def _shell_of(script: str) -> str:
    first = script.split("\n", 1)[0]
    return "bash" if "bash" in first else "sh"


# --- shell ------------------------------------------------------------------------------


def _check_shell(text: str, origin: str) -> list[Problem]:
    if not text.startswith("#!"):
        return [_problem(origin, 1, "format", "a shell user-data must start with '#!'")]
    from . import shellcheck
    from .shellcheck import Script

    scripts = [Script(text, origin, 0, _shell_of(text), RENDER_EXCLUDE)]
    scripts += [replace(s, exclude=RENDER_EXCLUDE) for s in heredoc_scripts(text, origin)]
    return shellcheck.check(scripts)


def heredoc_scripts(text: str, origin: str) -> list[Script]:
    """Scripts a shell script installs through quoted here-documents (`<<'EOF'`).

    shellcheck does not look inside here-documents, so each body that starts with a
    shebang is checked as a script of its own.
    """
    from .shellcheck import Script

    lines = text.split("\n")
    out = []
    index = 0
    while index < len(lines):
        match = _HEREDOC.search(lines[index])
        if not match:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end] != match.group(1):
            end += 1
        body = "\n".join(lines[index + 1:end]) + "\n"
        if SH_SHEBANG.match(body):
            out.append(Script(body, origin, index + 1, _shell_of(body)))
        index = end + 1
    return out
