"""A cloud-config document: YAML parsed once with positions, and the scripts it carries.

PyYAML composes a node tree (every node knows its line) and constructs the plain data
from that same tree, so schema errors (a path like `write_files.0.permissions`) map back
to a line without parsing twice. libyaml is used when present: it is ~10× faster.
"""

from __future__ import annotations

import base64
import binascii
import shlex
from dataclasses import dataclass, field
from typing import Any

from .document import Snippet
from .limits import MAX_NODES
from .types import language_of

__all__ = ["Parsed", "parse", "child", "snippets", "content_start", "language_of"]
SCRIPT_MODULES = ("bootcmd", "runcmd")


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
        """Line of a top-level key itself (not of its value); of the last one if it is
        given twice (YAML keeps that one)."""
        if _is_mapping(self.node):
            for key_node, _ in reversed(self.node.value):
                if key_node.value == key:
                    return key_node.start_mark.line + 1
        return 1


def parse(text: str) -> Parsed:
    import yaml  # lazy: only cloud-config needs it

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(text)
    try:
        node = loader.get_single_node()
        nodes = expanded_size(node)
        if nodes > MAX_NODES:
            return Parsed(error=(1, 0, f"more than {MAX_NODES} YAML nodes once aliases are "
                                 "expanded (limit MAX_NODES): a 'billion laughs' document "
                                 "that would exhaust cloud-init; not read further", 0))
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        return Parsed(error=_syntax_error(err))
    except (ValueError, TypeError, RecursionError) as err:  # e.g. a bad !!binary or timestamp
        return Parsed(error=(1, 0, f"cannot load this YAML: {err}", 0))
    finally:
        loader.dispose()
    return Parsed(data=data, node=node, duplicates=list(_duplicates(node)))


def expanded_size(node: Any) -> int:
    """How many nodes `node` stands for with every alias expanded, counted without
    expanding (each distinct node is visited once; a count past MAX_NODES stops early)."""
    sizes: dict[int, int] = {}
    stack = [(node, False)] if node is not None else []
    while stack:
        current, ready = stack.pop()
        key = id(current)
        if key in sizes and not ready:
            continue
        items = _items(current)
        if ready:
            sizes[key] = min(1 + sum(sizes.get(id(item), 0) for item in items), MAX_NODES + 1)
            continue
        sizes.setdefault(key, 0)  # a cycle (not possible in YAML 1.1 composition) counts 0
        stack.append((current, True))
        stack.extend((item, False) for item in items if id(item) not in sizes)
    return sizes.get(id(node), 0)


def _items(node: Any) -> list:
    kind = type(node).__name__
    if kind == "MappingNode":
        return [part for pair in node.value for part in pair]
    if kind == "SequenceNode":
        return list(node.value)
    return []


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
    """The node at `step` of a mapping or a sequence. A key given twice: the last one, the
    value YAML keeps (the data this node is looked up for)."""
    kind = type(node).__name__
    if kind == "MappingNode":
        for key, value in reversed(node.value):
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


def snippets(parsed: Parsed, lines: list[str], decode=None) -> list[Snippet]:
    """The runcmd and bootcmd scripts, and every write_files content (scripts and plain
    files). `decode(content, encoding)` inflates an encoded write_files content (the tree
    passes its bounded one); without it encoded contents are skipped."""
    if not isinstance(parsed.data, dict):
        return []
    out = []
    for module in SCRIPT_MODULES:
        items = parsed.data.get(module)
        if isinstance(items, list) and items:
            script = _script(parsed, lines, module, items)
            if script is not None:
                out.append(script)
    files = parsed.data.get("write_files")
    if isinstance(files, list):
        for index, entry in enumerate(files):
            if isinstance(entry, dict):
                out += _file(parsed, lines, index, entry, decode)
    return out


def _script(parsed: Parsed, lines: list[str], module: str, items: list) -> Snippet | None:
    """The script cloud-init writes for runcmd/bootcmd (its `shellify`): `#!/bin/sh`, then
    a string entry as it is, a list entry as single-quoted words; each line knows where in
    the cloud-config it came from."""
    module_node = child(parsed.node, module)
    text = ["#!/bin/sh"]
    line_map = [(parsed.key_line(module), 0)]
    for index, item in enumerate(items):
        node = child(module_node, index)
        if node is None:
            continue
        if isinstance(item, str):
            line, column = content_start(node, lines)
            for number, row in enumerate(item.rstrip("\n").split("\n"), 1):
                text.append(row)
                line_map.append((line + number, column))
        elif isinstance(item, list):
            text.append(" ".join(shlex.quote(str(word)) for word in item))
            line_map.append((node.start_mark.line + 1, 0))
    if len(text) == 1:
        return None
    return Snippet("\n".join(text) + "\n", 0, 0, "sh", "command", module,
                   line_map=line_map)


_B64 = ("b64", "base64", "gz+b64", "gz+base64", "gzip+b64", "gzip+base64")
_GZ = ("gz", "gzip", "gz+b64", "gz+base64", "gzip+b64", "gzip+base64")


def _file(parsed: Parsed, lines: list[str], index: int, entry: dict, decode):
    content = entry.get("content")
    if isinstance(content, bytes):  # !!binary
        content = content.decode("utf-8", "replace")
    if not isinstance(content, str):
        return
    node = child(child(child(parsed.node, "write_files"), index), "content")
    path = str(entry.get("path", ""))
    where = f"write_files[{index}] {path}".rstrip()
    encoding = str(entry.get("encoding") or "").lower()
    exact = encoding not in _B64 and encoding not in _GZ
    if not exact:
        content = decode(content, encoding) if decode else None
        if content is None:
            return
    line, column = content_start(node, lines) if exact else (node.start_mark.line, 0)
    language = language_of(content) if content.startswith("#!") else "text"
    role = "script" if language != "text" else "file"
    yield Snippet(content, line, column, language, role, where, path, exact)


def unbase64_content(content: str, encoding: str) -> bytes | None:
    """The bytes of a write_files content before any gzip is undone, or None."""
    data = content.encode("utf-8")
    if encoding not in _B64:
        return data
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
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
