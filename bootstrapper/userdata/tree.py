"""Any user-data → a tree of Documents, the way cloud-init 22.4 reads it.

Layers are peeled in cloud-init's order: gzip (by its magic bytes), MIME (`mime-version:`
in the first 4096 bytes), then the first line (`types.STARTS`). base64 is the EC2 API's
encoding, not cloud-init's; it is accepted here because people keep user-data
base64-encoded in repos. Nothing here raises on bad input: a layer that cannot be read is
a Document of kind `unknown` with a `note` saying why. Everything inflated from one input
shares one budget (`limits.SIZE_CAP`), and nesting stops at `limits.MAX_DEPTH`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..encode import gunzip, unbase64
from . import cloudconfig, heredoc, template
from .document import SHELLS, Document, Snippet
from .limits import MAX_DEPTH, MAX_SCRIPT, NOT_CHECKED, SIZE_CAP
from .types import CONTENT_TYPES, DECOMP_TYPES, GZIP_MAGIC, KINDS, SNIFFED, detect, \
    language_of, looks_like_shell

if TYPE_CHECKING:
    from . import mime

__all__ = ["extract", "detect"]


def extract(data: bytes, path: str) -> Document:
    """The document tree of one user-data file's bytes."""
    if len(data) > SIZE_CAP:
        return Document(path, "unknown", size=len(data), note=f"over the size cap of "
                        f"{SIZE_CAP} bytes (SIZE_CAP): no user-data is this big; not read")
    reader = _Reader(path)
    root = reader.bytes_(data, 0, 1, "", 0)
    if root.kind == "empty":
        root.kind, root.note = "unknown", "empty user-data: cloud-init has nothing to run"
    for doc in root.walk():
        if not doc.content_type and doc.kind in CONTENT_TYPES:
            doc.content_type = CONTENT_TYPES[doc.kind]
    _encoded_twice(root)
    _oversized(root)
    return root


def _oversized(root: Document) -> None:
    """Scripts past MAX_SCRIPT are not handed to shellcheck (its time grows faster than
    their size): their role says so, and their document warns, naming the limit."""
    for doc in root.walk():
        for snippet in doc.snippets:
            if snippet.language in SHELLS and len(snippet.text) > MAX_SCRIPT:
                snippet.role = "oversized"
                doc.warnings.append(f"{snippet.where or 'script'}: {len(snippet.text)} bytes, "
                                    f"over MAX_SCRIPT ({MAX_SCRIPT}): {NOT_CHECKED}")


def _encoded_twice(root: Document) -> None:
    """EC2 undoes one base64 and cloud-init one gzip: a second layer reaches cloud-init as
    base64 text or gzip bytes, which it ignores."""
    node = root
    seen: set[str] = set()
    while node.kind in ("base64", "gzip") and node.children:
        if node.kind in seen:
            what = "base64 of base64: EC2 decodes one layer" if node.kind == "base64" else \
                "gzipped twice: cloud-init decompresses once"
            node.faults.append(f"double-encoded ({what} and cloud-init would see "
                               f"{node.kind} data); encode once")
            return
        seen.add(node.kind)
        node = node.children[0]


def _join(where: str, step: str) -> str:
    return f"{where} > {step}" if where else step


class _Reader:
    """One input's walk: its path and what is left of its inflation budget."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.left = SIZE_CAP

    def doc(self, kind: str, **fields) -> Document:
        return Document(self.path, kind, **fields)

    def bytes_(self, data: bytes, offset: int | None, anchor: int, where: str, depth: int,
               kind: str | None = None) -> Document:
        if depth > MAX_DEPTH:
            return self.doc("unknown", size=len(data), offset=offset, anchor=anchor,
                            where=where, note=f"nested more than {MAX_DEPTH} layers deep "
                            "(limit MAX_DEPTH)")
        if data[:2] == GZIP_MAGIC:
            return self.gzip(data, offset, anchor, where, depth)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return self.doc("unknown", size=len(data), offset=offset, anchor=anchor,
                            where=where, note="binary data that is neither gzip nor UTF-8 text")
        text = _line_ends(text.lstrip("\ufeff"))
        return self.text(text, len(data), offset, anchor, where, depth, kind, data)

    def gzip(self, data: bytes, offset: int | None, anchor: int, where: str,
             depth: int) -> Document:
        doc = self.doc("gzip", size=len(data), offset=offset, anchor=anchor, where=where)
        inner = self.inflate(data, doc)
        if inner is not None:
            doc.children.append(self.bytes_(inner, None, anchor, _join(where, "gzip"),
                                            depth + 1))
        return doc

    def inflate(self, data: bytes, doc: Document) -> bytes | None:
        """gunzip within the budget; on failure `doc` becomes unknown, saying why."""
        try:
            inner = gunzip(data, self.left)
        except ValueError as err:
            doc.kind = "unknown"
            doc.note = f"gzip data cloud-init cannot use: {err}"
            if "more than" in str(err):
                doc.note = (f"gzip data that inflates past the size cap of {SIZE_CAP} bytes "
                            "(SIZE_CAP, all layers together): refused as a decompression bomb")
            return None
        self.left -= len(inner)
        return inner

    def text(self, text: str, size: int, offset: int | None, anchor: int, where: str,
             depth: int, kind: str | None = None, data: bytes | None = None) -> Document:
        doc = self.doc(kind or detect(text), text=text, size=size, offset=offset,
                       anchor=anchor, where=where, data=data)
        if doc.kind == "unknown" and kind is None:
            decoded = _base64(text)
            if decoded is not None:
                child = self.bytes_(decoded, None, anchor, _join(where, "base64"), depth + 1)
                if child.kind != "unknown" or child.note.startswith(("gzip", "nested")):
                    doc.kind = "base64"
                    doc.children.append(child)
                    return doc
        builder = getattr(self, "build_" + doc.kind.replace("-", "_"), None)
        if builder:
            builder(doc, depth)
        elif doc.kind == "unknown" and _headless_shell(doc.text):
            _add_headless(doc)
        return doc

    # --- what each kind contains ------------------------------------------------------

    def build_cloud_config(self, doc: Document, depth: int) -> None:
        doc.config = cloudconfig.parse(doc.text)
        lines = doc.text.split("\n")
        doc.snippets = _with_heredocs(cloudconfig.snippets(doc.config, lines, self.decode), self.decode)

    def decode(self, content: str, encoding: str) -> str | None:
        """A write_files content as the file will hold it, inflated within the budget."""
        raw = cloudconfig.unbase64_content(content, encoding)
        if raw is None:
            return None
        if encoding.startswith("gz"):
            probe = self.doc("gzip")
            raw = self.inflate(raw, probe)
            if raw is None:
                return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def build_shell(self, doc: Document, depth: int) -> None:
        if not doc.text.startswith("#!"):  # a MIME script part: cloud-init executes it as is
            doc.kind, doc.note = "unknown", "a script part must start with '#!': cloud-init " \
                "runs it as a program, and without an interpreter line it fails to start"
            _add_headless(doc)
            return
        language = language_of(doc.text)
        if language not in SHELLS:
            doc.kind = "script"
        doc.snippets = _with_heredocs([Snippet(doc.text, 0, 0, language, "script", "script")],
                                      self.decode)

    def build_boothook(self, doc: Document, depth: int) -> None:
        """cloud-init drops the `#cloud-boothook` line and runs the rest as a program."""
        first, _, rest = doc.text.partition("\n")
        if not doc.text.lstrip().lower().startswith("#cloud-boothook"):
            rest, first = doc.text, ""  # a text/cloud-boothook MIME part may omit the line
        language = language_of(rest) if rest.startswith("#!") else "sh"
        line = 1 if first else 0
        doc.snippets = _with_heredocs([Snippet(rest, line, 0, language, "script", "boothook")],
                                      self.decode)

    def build_part_handler(self, doc: Document, depth: int) -> None:
        doc.snippets = [Snippet(doc.text, 0, 0, "python", "script", "part-handler")]

    def build_powershell(self, doc: Document, depth: int) -> None:
        language = "powershell" if doc.kind == "powershell" else "text"  # cmd: lines only
        doc.snippets = [Snippet(doc.text, 0, 0, language, "script", doc.kind)]

    build_batch = build_powershell

    def build_jinja(self, doc: Document, depth: int) -> None:
        if template.syntax_error(doc.text):
            return  # cloud-init cannot render it: nothing below it will ever run
        _, _, body = doc.text.partition("\n")
        offset = None if doc.offset is None else doc.offset + 1
        child = self.text(template.with_placeholders(body), len(body.encode()), offset,
                          doc.anchor + (1 if offset is not None else 0), doc.where, depth + 1)
        child.templated = True
        doc.children.append(child)

    # --- containers: MIME and cloud-config-archive ----------------------------------------

    def build_mime(self, doc: Document, depth: int) -> None:
        from . import mime  # lazy: most user-data (every render but --format mime) has none

        root = mime.parse(doc.text)
        if root.error:
            doc.note = root.error
        message = mime.message(doc.data if doc.data is not None else doc.text.encode())
        doc.warnings = mime.defects(message)
        entities = root.parts if root.parts else [root]
        for index, part in enumerate(entities, 1):
            doc.children.append(self.mime_part(doc, part, index, depth, doc.offset))
        leaves = [d for d in doc.walk() if d is not doc and d.headers and d.kind != "mime"]
        exact = mime.payloads(message)
        if len(exact) == len(leaves):  # the email parser's bytes: CRLF and all, as cloud-init
            for leaf, (filename, payload) in zip(leaves, exact):
                leaf.filename = filename
                if leaf.kind != "gzip":
                    leaf.data = payload

    def mime_part(self, doc: Document, part: mime.Part, index: int, depth: int,
                  base: int | None) -> Document:
        """One entity; `base` is the file line offset of the text mime.parse() read (every
        `part.line`, nested ones too, counts from there), None inside an encoding."""
        label = _join(doc.where, f"part {index} ({part.filename or part.content_type})")
        exact_offset = None if base is None else base + part.line
        anchor = (base + part.line + 1) if base is not None else doc.anchor
        if part.parts or part.error:  # a nested multipart
            nested = self.doc("mime", text=part.body, size=len(part.body.encode()),
                              offset=exact_offset, anchor=anchor, where=label,
                              headers=part.headers, note=part.error,
                              content_type=part.content_type)
            for sub_index, sub in enumerate(part.parts, 1):
                nested.children.append(self.mime_part(nested, sub, sub_index, depth + 1, base))
            return nested
        payload, exact = part.payload()
        kind = _part_kind(part.content_type)
        if payload is None:
            child = self.doc("unknown", offset=exact_offset, anchor=anchor, where=label,
                             note="a part whose transfer encoding cannot be decoded")
        elif part.content_type in DECOMP_TYPES:
            data = payload if isinstance(payload, bytes) else payload.encode("latin-1", "replace")
            child = self.bytes_(data, None, anchor, label, depth + 1)
        elif exact:
            child = self.text(payload, len(payload.encode()), exact_offset, anchor, label,
                              depth + 1, kind)
        else:
            child = self.bytes_(payload, None, anchor, label, depth + 1, kind)
        if child.kind == "unknown" and part.content_type == "text/x-shellscript" \
                and not child.note:
            self.build_shell(child, depth)
        child.headers = part.headers
        if part.content_type not in SNIFFED and part.content_type not in DECOMP_TYPES:
            child.content_type = part.content_type
        return child

    def build_archive(self, doc: Document, depth: int) -> None:
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
            kind = KINDS.get(str(item.get("type", ""))) if isinstance(item, dict) else None
            doc.children.append(self.archive_item(doc, content, node, lines, index, depth,
                                                  kind))

    def archive_item(self, doc: Document, content: str, node, lines: list[str], index: int,
                     depth: int, kind: str | None) -> Document:
        label = _join(doc.where, f"item {index}")
        if not kind and detect(content) == "unknown":
            kind = "cloud-config"  # cloud-init's default type for an archive item
        line, _ = cloudconfig.content_start(node, lines)
        block = getattr(node, "style", None) in ("|", ">") or "\n" not in content.rstrip("\n")
        if doc.offset is not None and block:
            return self.text(content, len(content.encode()), doc.offset + line,
                             doc.offset + line + 1, label, depth + 1, kind)
        anchor = (doc.offset or 0) + node.start_mark.line + 1 if doc.offset is not None \
            else doc.anchor
        return self.text(content, len(content.encode()), None, anchor, label, depth + 1, kind)


def _line_ends(text: str) -> str:
    """Text with LF line ends, except where cloud-init runs it with its CRs.

    cloud-init writes a script (and a boothook) through its `dos2unix`, which turns every
    CRLF into LF only when the first line ends in CRLF: a script saved whole in a Windows
    editor runs, but one with a LF first line and CRLF lines below it (a block pasted in)
    runs with a CR at the end of those commands; kept, shellcheck reports them (SC1017).
    Everything else (YAML, MIME headers) reads CRLF as a line end. Lines stay where they are.
    """
    first = text.find("\n")
    if detect(text) in ("shell", "boothook") and first > 0 and text[first - 1] != "\r":
        return text
    return text.replace("\r\n", "\n")


def _base64(text: str) -> bytes | None:
    """encode.unbase64, for text of at least 8 base64 characters (shorter is a word)."""
    compact = "".join(text.split())
    return None if len(compact) < 8 else unbase64(compact.encode("utf-8", "surrogatepass"))


def _part_kind(content_type: str) -> str | None:
    """The kind a MIME content type forces, or None to sniff the body as cloud-init does."""
    if content_type in SNIFFED or content_type in DECOMP_TYPES:
        return None
    return KINDS.get(content_type, "unknown")


def _headless_shell(text: str) -> bool:
    """Shell commands with no '#!' line (a CloudFormation UserData body, say), and not a
    cloud-config that lost its header (that is YAML, a mapping)."""
    if not looks_like_shell(text):
        return False
    return not isinstance(cloudconfig.parse(text).data, (dict, list))


def _add_headless(doc: Document) -> None:
    """cloud-init will not run it, but the commands are what the author meant to run:
    hand them to the content rules (imdsv1, secrets) as a `headless` script. shellcheck
    skips that role: without a '#!' line the dialect is a guess, and the missing line is
    already reported (unknown-format)."""
    doc.snippets = _with_heredocs([Snippet(doc.text, 0, 0, "sh", "headless",
                                           "script without #!")])


def _with_heredocs(snippets: list[Snippet], decode=None) -> list[Snippet]:
    """Add the scripts that shell snippets install through quoted here-documents; an
    encoded one (base64, gzip) is decoded by `decode`, within the input's budget."""
    out = list(snippets)
    for snippet in snippets:
        if snippet.language in SHELLS and "<<" in snippet.text:
            for body, line_offset, encoding in heredoc.scripts(snippet.text):
                start = snippet.line + line_offset
                if snippet.line_map:  # a joined runcmd: where that line came from
                    start = snippet.line_map[min(line_offset, len(snippet.line_map) - 1)][0] - 1
                exact = snippet.exact and snippet.line_map is None
                if encoding:
                    decoded = decode("".join(body.split()), encoding) if decode else None
                    if decoded is not None and decoded.startswith("#!") and \
                            language_of(decoded) in SHELLS:
                        body, exact = decoded, False
                        start -= 1  # a decoded body is reported at its here-document's line
                if not body.startswith("#!") or language_of(body) not in SHELLS:
                    continue  # data, or an encoded body that is no script once decoded
                out.append(Snippet(body, start, snippet.column, language_of(body), "heredoc",
                                   snippet.where, exact=exact))
    return [_ours(snippet) for snippet in out]


def _ours(snippet: Snippet) -> Snippet:
    """bootstrapper's helper with a body the test suite checked (every rule, shellcheck
    too) is judged by its configuration alone: the ~13 KB body would cost every render
    ~0.1 s of rules to learn nothing (bootstrapper.helper)."""
    if snippet.language not in SHELLS or "bootstrapper-imds" not in snippet.text[:200]:
        return snippet
    from .. import helper

    head = helper.known_head(snippet.text)
    if head is None:
        return snippet
    return replace(snippet, text=head, ours=True, whole=snippet.text)
