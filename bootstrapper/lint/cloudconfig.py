"""A cloud-config document: YAML parsed once with positions, and the scripts it carries.

PyYAML composes a node tree (every node knows its line) and constructs the plain data
from that same tree, so schema errors (a path like `write_files.0.permissions`) map back
to a line without parsing twice. libyaml is used when present: it is ~10× faster.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from .document import Snippet

SCRIPT_MODULES = ("bootcmd", "runcmd")
# wider than validate.SH_SHEBANG (what render emits): any path, env, ksh and busybox too
_SHELL = re.compile(r"#!\s*\S*/(?:env\s+)?(?:busybox\s+)?(sh|dash|ash|bash|ksh|mksh)\b")


@dataclass
class Parsed:
    """The YAML of a cloud-config: `data` and `node`, or the syntax error."""

    data: Any = None
    node: Any = None
    error: tuple[int, int, str, int] | None = None  # line, column, message, context line
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)

    def line_of(self, path: tuple) -> tuple[int, int]:
        """(line, column) of the deepest node on `path` that exists, 1-based."""
        node, where = self.node, (1, 1)
        for step in path:
            node = child(node, step)
            if node is None:
                break
            where = (node.start_mark.line + 1, node.start_mark.column + 1)
        return where

    def key_line(self, key: str) -> int:
        """Line of a top-level key itself (not of its value)."""
        if _is_mapping(self.node):
            for key_node, _ in self.node.value:
                if key_node.value == key:
                    return key_node.start_mark.line + 1
        return 1


def parse(text: str) -> Parsed:
    import yaml  # lazy: only cloud-config needs it

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        return Parsed(error=_syntax_error(err))
    except (ValueError, TypeError, RecursionError) as err:  # e.g. a bad !!binary or timestamp
        return Parsed(error=(1, 0, f"cannot load this YAML: {err}", 0))
    finally:
        loader.dispose()
    return Parsed(data=data, node=node, duplicates=list(_duplicates(node)))


def _syntax_error(err: Any) -> tuple[int, int, str, int]:
    """(line, column, message, context line) where the parser gave up; the context line
    (0: none) is where the construct it was reading started, `{context}` in the message."""
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    where = (mark.line + 1, mark.column + 1) if mark else (1, 0)
    message = getattr(err, "problem", None) or str(err).split("\n")[0]
    context, context_mark = getattr(err, "context", None), getattr(err, "context_mark", None)
    if context and context_mark:
        return (*where, f"{message} ({context} started on line {{context}})",
                context_mark.line + 1)
    return (*where, message, 0)


def _is_mapping(node: Any) -> bool:
    return type(node).__name__ == "MappingNode"


def child(node: Any, step: Any) -> Any:
    kind = type(node).__name__
    if kind == "MappingNode":
        for key, value in node.value:
            if key.value == str(step):
                return value
    elif kind == "SequenceNode" and isinstance(step, int) and step < len(node.value):
        return node.value[step]
    return None


def _duplicates(node: Any, depth: int = 0):
    """Keys given twice in one mapping: YAML keeps the last and silently drops the first."""
    kind = type(node).__name__
    if depth > 50:
        return
    if kind == "MappingNode":
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = getattr(key, "value", None)
            if isinstance(name, str) and name != "<<":
                if name in seen:
                    yield key.start_mark.line + 1, seen[name], name
                seen[name] = key.start_mark.line + 1
            yield from _duplicates(value, depth + 1)
    elif kind == "SequenceNode":
        for item in node.value:
            yield from _duplicates(item, depth + 1)


# --- the scripts a cloud-config carries ---------------------------------------------------


def snippets(parsed: Parsed, lines: list[str]) -> list[Snippet]:
    """runcmd/bootcmd entries, and every write_files content (scripts and plain files)."""
    if not isinstance(parsed.data, dict):
        return []
    out = []
    for module in SCRIPT_MODULES:
        items = parsed.data.get(module)
        if isinstance(items, list):
            for index, item in enumerate(items):
                out += _command(parsed, lines, module, index, item)
    files = parsed.data.get("write_files")
    if isinstance(files, list):
        for index, entry in enumerate(files):
            if isinstance(entry, dict):
                out += _file(parsed, lines, index, entry)
    return out


def _command(parsed: Parsed, lines: list[str], module: str, index: int, item: Any):
    node = child(child(parsed.node, module), index)
    where = f"{module}[{index}]"
    if isinstance(item, str):
        line, column = content_start(node, lines)
        yield Snippet(item + "\n", line, column, "sh", "command", where)
    elif isinstance(item, list):
        words = " ".join(shlex.quote(str(word)) for word in item)
        yield Snippet(words + "\n", node.start_mark.line, 0, "sh", "argv", where)


def _file(parsed: Parsed, lines: list[str], index: int, entry: dict):
    content = entry.get("content")
    if isinstance(content, bytes):  # !!binary
        content = content.decode("utf-8", "replace")
    if not isinstance(content, str):
        return
    node = child(child(child(parsed.node, "write_files"), index), "content")
    path = str(entry.get("path", ""))
    where = f"write_files[{index}] {path}".rstrip()
    encoding = str(entry.get("encoding") or "").lower()
    exact = encoding in ("", "text/plain")
    if not exact:
        content = decode_content(content, encoding)
        if content is None:
            return
    line, column = content_start(node, lines) if exact else (node.start_mark.line, 0)
    language = language_of(content) if content.startswith("#!") else "text"
    role = "script" if language != "text" else "file"
    yield Snippet(content, line, column, language, role, where, path, exact)


def decode_content(content: str, encoding: str) -> str | None:
    """write_files content as the file will hold it (b64, gz, gz+b64), or None."""
    try:
        data = content.encode("utf-8")
        if "b64" in encoding or "base64" in encoding:
            data = base64.b64decode(data)
        if encoding.startswith("gz"):
            data = gzip.decompress(data)
        return data.decode("utf-8")
    except (binascii.Error, OSError, EOFError, UnicodeDecodeError, ValueError):
        return None


def content_start(node: Any, lines: list[str]) -> tuple[int, int]:
    """(offset, column) such that content line n is document line offset + n.

    A block scalar (`|`) starts on the line after its indicator; a plain or quoted one
    on its own line. The column is the content's indentation, for exact columns.
    """
    line = node.start_mark.line
    if getattr(node, "style", None) in ("|", ">"):
        body = lines[line + 1] if line + 1 < len(lines) else ""
        return line + 1, len(body) - len(body.lstrip(" "))
    return line, node.start_mark.column + (1 if node.style in ("'", '"') else 0)


def language_of(script: str) -> str:
    """The interpreter a shebang names: a shellcheck dialect, python, powershell or text."""
    first = script.split("\n", 1)[0]
    shell = _SHELL.match(first)
    if shell:
        if "busybox" in first or shell.group(1) == "ash":
            return "busybox"
        return {"mksh": "ksh"}.get(shell.group(1), shell.group(1))
    if "python" in first:
        return "python"
    if "pwsh" in first or "powershell" in first:
        return "powershell"
    return "text"
