"""Any user-data → a tree of Documents, the way cloud-init 22.4 reads it.

Layers are peeled in cloud-init's order: gzip (by its magic bytes), MIME (a header block
naming MIME-Version), then the first line (`#cloud-config`, `#!`, `#include`, ...,
case-insensitive after leading blanks). base64 is the EC2 API's encoding, not
cloud-init's; it is accepted here because people keep user-data base64-encoded in repos.
Nothing here raises on bad input: a layer that cannot be read is a Document of kind
`unknown` with a `note` saying why.
"""

from __future__ import annotations

import re
import zlib

from ..encode import unbase64
from ..validate import heredoc_scripts
from . import cloudconfig, mime, template
from .document import SHELLS, Document, Snippet

MAX_DEPTH = 8
MAX_INFLATED = 8 * 1024 * 1024  # a gzip bomb stops here

# cloud-init's first-line prefixes, longest first (cloudinit/handlers INCLUSION_TYPES_MAP)
STARTS = [("#cloud-config-archive", "archive"), ("#cloud-config-jsonp", "jsonp"),
          ("## template: jinja", "jinja"), ("#cloud-boothook", "boothook"),
          ("#cloud-config", "cloud-config"), ("#include-once", "include"),
          ("#part-handler", "part-handler"), ("#include", "include"), ("#!", "shell")]
MIME_KINDS = {
    "text/cloud-config": "cloud-config", "text/x-shellscript": "shell",
    "text/x-shellscript-per-boot": "shell", "text/x-shellscript-per-instance": "shell",
    "text/x-shellscript-per-once": "shell", "text/cloud-boothook": "boothook",
    "text/x-include-url": "include", "text/x-include-once-url": "include",
    "text/part-handler": "part-handler", "text/cloud-config-archive": "archive",
    "text/cloud-config-jsonp": "jsonp", "text/jinja2": "jinja",
}
_DETECTED = {"text/plain", "text/x-not-multipart", "text/x-shellscript"}  # re-sniffed
_GZIP_TYPES = {"application/x-gzip", "application/gzip", "application/gzip-compressed",
               "application/x-gzip-compressed"}
_WINDOWS = re.compile(r"^\s*<(powershell|script)>", re.I)  # EC2Launch: PowerShell or cmd


def extract(data: bytes, path: str) -> Document:
    """The document tree of one user-data file's bytes."""
    return _bytes(data, path, 0, 1, "", 0)


def detect(text: str) -> str:
    """The kind a text layer is, from its first characters."""
    head = text.lstrip().lower()
    if not head:
        return "empty"
    if _is_mime(text):
        return "mime"
    for prefix, kind in STARTS:
        if head.startswith(prefix):
            return kind
    windows = _WINDOWS.match(text)
    if windows:
        return "powershell" if windows.group(1).lower() == "powershell" else "batch"
    return "unknown"


def _is_mime(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    return "mime-version:" in text[:4096].lower() and bool(re.match(r"[A-Za-z-]+:", first))


def _join(where: str, step: str) -> str:
    return f"{where} > {step}" if where else step


def _bytes(data: bytes, path: str, offset: int | None, anchor: int, where: str,
           depth: int, kind: str | None = None) -> Document:
    if depth > MAX_DEPTH:
        return Document(path, "unknown", size=len(data), offset=offset, anchor=anchor,
                        where=where, note=f"nested more than {MAX_DEPTH} layers deep")
    if data[:2] == b"\x1f\x8b":
        return _gzip(data, path, offset, anchor, where, depth)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Document(path, "unknown", size=len(data), offset=offset, anchor=anchor,
                        where=where, note="binary data that is neither gzip nor UTF-8 text")
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    return _text(text, len(data), path, offset, anchor, where, depth, kind)


def _gzip(data: bytes, path: str, offset: int | None, anchor: int, where: str,
          depth: int) -> Document:
    doc = Document(path, "gzip", size=len(data), offset=offset, anchor=anchor, where=where)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        inner = inflater.decompress(data, MAX_INFLATED)
    except zlib.error as err:
        doc.kind, doc.note = "unknown", f"gzip data that cannot be decompressed ({err})"
        return doc
    if inflater.unconsumed_tail:
        doc.kind, doc.note = "unknown", f"gzip data over {MAX_INFLATED} bytes decompressed"
        return doc
    doc.children.append(_bytes(inner, path, None, anchor, _join(where, "gzip"), depth + 1))
    return doc


def _text(text: str, size: int, path: str, offset: int | None, anchor: int, where: str,
          depth: int, kind: str | None = None) -> Document:
    doc = Document(path, kind or detect(text), text, size, offset, anchor, where)
    if doc.kind == "unknown" and kind is None:
        decoded = _base64(text)
        if decoded is not None:
            child = _bytes(decoded, path, None, anchor, _join(where, "base64"), depth + 1)
            if child.kind != "unknown":
                doc.kind = "base64"
                doc.children.append(child)
                return doc
    _BUILDERS.get(doc.kind, _nothing)(doc, depth)
    return doc


def _base64(text: str) -> bytes | None:
    """encode.unbase64, for text of at least 8 base64 characters (shorter is a word)."""
    compact = "".join(text.split())
    return None if len(compact) < 8 else unbase64(compact.encode("utf-8", "surrogatepass"))


# --- what each kind contains -------------------------------------------------------------


def _nothing(doc: Document, depth: int) -> None:
    pass


def _cloud_config(doc: Document, depth: int) -> None:
    doc.config = cloudconfig.parse(doc.text)
    doc.snippets = _with_heredocs(cloudconfig.snippets(doc.config, doc.text.split("\n")))


def _script(doc: Document, depth: int) -> None:
    if not doc.text.startswith("#!"):  # a MIME script part: cloud-init executes it as is
        doc.kind, doc.note = "unknown", "a script part must start with '#!': cloud-init " \
            "runs it as a program, and without an interpreter line it fails to start"
        return
    language = cloudconfig.language_of(doc.text)
    if language not in SHELLS:
        doc.kind = "script"
    doc.snippets = _with_heredocs([Snippet(doc.text, 0, 0, language, "script", "script")])


def _boothook(doc: Document, depth: int) -> None:
    """cloud-init drops the `#cloud-boothook` line and runs the rest as a program."""
    first, _, rest = doc.text.partition("\n")
    if not doc.text.lstrip().lower().startswith("#cloud-boothook"):
        rest, first = doc.text, ""  # a text/cloud-boothook MIME part may omit the line
    language = cloudconfig.language_of(rest) if rest.startswith("#!") else "sh"
    line = 1 if first else 0
    doc.snippets = _with_heredocs([Snippet(rest, line, 0, language, "script", "boothook")])


def _part_handler(doc: Document, depth: int) -> None:
    doc.snippets = [Snippet(doc.text, 0, 0, "python", "script", "part-handler")]


def _powershell(doc: Document, depth: int) -> None:
    language = "powershell" if doc.kind == "powershell" else "text"  # cmd: lines only
    doc.snippets = [Snippet(doc.text, 0, 0, language, "script", doc.kind)]


def _jinja(doc: Document, depth: int) -> None:
    if template.syntax_error(doc.text):
        return  # cloud-init cannot render it: nothing below it will ever run
    _, _, body = doc.text.partition("\n")
    offset = None if doc.offset is None else doc.offset + 1
    child = _text(template.with_placeholders(body), len(body.encode()), doc.path, offset,
                  doc.anchor + (1 if offset is not None else 0), doc.where, depth + 1)
    child.templated = True
    doc.children.append(child)


def _with_heredocs(snippets: list[Snippet]) -> list[Snippet]:
    """Add the scripts that shell snippets install through quoted here-documents."""
    out = list(snippets)
    for snippet in snippets:
        if snippet.language in SHELLS and "<<" in snippet.text:
            for script in heredoc_scripts(snippet.text, snippet.where):
                out.append(Snippet(script.text, snippet.line + script.line_offset,
                                   snippet.column, cloudconfig.language_of(script.text),
                                   "heredoc", snippet.where, exact=snippet.exact))
    return out


# --- containers: MIME and cloud-config-archive ----------------------------------------------


def _mime(doc: Document, depth: int) -> None:
    root = mime.parse(doc.text)
    if root.error:
        doc.note = root.error
    entities = root.parts if root.parts else [root]
    for index, part in enumerate(entities, 1):
        doc.children.append(_mime_part(doc, part, index, depth, doc.offset))


def _mime_part(doc: Document, part: mime.Part, index: int, depth: int,
               base: int | None) -> Document:
    """One entity; `base` is the file line offset of the text mime.parse() read (every
    `part.line`, nested ones too, counts from there), None inside an encoding."""
    label = _join(doc.where, f"part {index} ({part.filename or part.content_type})")
    exact_offset = None if base is None else base + part.line
    anchor = (base + part.line + 1) if base is not None else doc.anchor
    if part.parts or part.error:  # a nested multipart
        nested = Document(doc.path, "mime", part.body, len(part.body.encode()), exact_offset,
                          anchor, label, headers=part.headers, note=part.error)
        for sub_index, sub in enumerate(part.parts, 1):
            nested.children.append(_mime_part(nested, sub, sub_index, depth + 1, base))
        return nested
    payload, exact = part.payload()
    kind = _part_kind(part.content_type)
    if payload is None:
        child = Document(doc.path, "unknown", offset=exact_offset, anchor=anchor, where=label,
                         note="a part whose transfer encoding cannot be decoded")
    elif exact:
        child = _text(payload, len(payload.encode()), doc.path, exact_offset, anchor, label,
                      depth + 1, kind)
    else:
        child = _bytes(payload, doc.path, None, anchor, label, depth + 1, kind)
    if child.kind == "unknown" and part.content_type == "text/x-shellscript" \
            and not child.note:
        _script(child, depth)
    child.headers = part.headers
    return child


def _part_kind(content_type: str) -> str | None:
    """The kind a MIME content type forces, or None to sniff the body as cloud-init does."""
    if content_type in _DETECTED or content_type in _GZIP_TYPES:
        return None
    return MIME_KINDS.get(content_type, "unknown")


def _archive(doc: Document, depth: int) -> None:
    doc.config = cloudconfig.parse(doc.text)
    items = doc.config.data if isinstance(doc.config.data, list) else []
    lines = doc.text.split("\n")
    for index, item in enumerate(items):
        content = item.get("content") if isinstance(item, dict) else item
        if not isinstance(content, str):
            continue
        node = cloudconfig.child(doc.config.node, index)
        if isinstance(item, dict):
            node = cloudconfig.child(node, "content")
        kind = MIME_KINDS.get(str(item.get("type", ""))) if isinstance(item, dict) else None
        doc.children.append(_archive_item(doc, content, node, lines, index, depth, kind))


def _archive_item(doc: Document, content: str, node, lines: list[str], index: int,
                  depth: int, kind: str | None) -> Document:
    label = _join(doc.where, f"item {index}")
    if not kind and detect(content) == "unknown":
        kind = "cloud-config"  # cloud-init's default type for an archive item
    line, _ = cloudconfig.content_start(node, lines)
    block = getattr(node, "style", None) in ("|", ">") or "\n" not in content.rstrip("\n")
    if doc.offset is not None and block:
        return _text(content, len(content.encode()), doc.path, doc.offset + line,
                     doc.offset + line + 1, label, depth + 1, kind)
    anchor = (doc.offset or 0) + node.start_mark.line + 1 if doc.offset is not None else doc.anchor
    return _text(content, len(content.encode()), doc.path, None, anchor, label, depth + 1, kind)


_BUILDERS = {
    "cloud-config": _cloud_config, "shell": _script, "boothook": _boothook,
    "part-handler": _part_handler, "powershell": _powershell, "batch": _powershell,
    "jinja": _jinja,
    "mime": _mime, "archive": _archive,
}
