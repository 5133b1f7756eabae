"""Split a MIME multipart user-data into parts, keeping the line where each body starts.

Python's email parser decodes parts but forgets where they were; findings must point at
lines of the file, so the boundaries are found here, line by line, and the email package
only reads each header block and decodes transfer encodings.
"""

from __future__ import annotations

import base64
import binascii
import quopri
from dataclasses import dataclass, field

from .limits import MAX_DEPTH


@dataclass
class Part:
    """A MIME entity: its headers, and either sub-parts or a body starting at `line`."""

    headers: dict[str, str]
    content_type: str
    line: int  # 0-based line of the message text where the body starts
    body: str = ""
    parts: list[Part] = field(default_factory=list)
    filename: str = ""
    error: str = ""

    def payload(self) -> tuple[bytes | str | None, bool]:
        """(decoded body, exact): text when lines still match the file, else bytes."""
        encoding = self.headers.get("content-transfer-encoding", "").strip().lower()
        try:
            if encoding == "base64":
                return base64.b64decode(self.body.encode("ascii", "replace")), False
            if encoding == "quoted-printable":
                return quopri.decodestring(self.body.encode("utf-8")), False
        except (binascii.Error, ValueError):
            return None, False
        return self.body, True


def parse(text: str, first_line: int = 0, depth: int = 0) -> Part:
    """The entity in `text` (lines start at `first_line`), its multipart parts split."""
    from email.parser import HeaderParser  # lazy: only MIME user-data needs it

    lines = text.split("\n")
    header_end = _header_end(lines)
    message = HeaderParser().parsestr("\n".join(lines[:header_end]) + "\n")
    headers = {name.lower(): str(value) for name, value in message.items()}
    content_type = message.get_content_type()
    part = Part(headers, content_type, first_line + header_end + 1,
                "\n".join(lines[header_end + 1:]), filename=message.get_filename() or "")
    if message.get_content_maintype() != "multipart":
        return part
    boundary = message.get_param("boundary")
    if not boundary or depth > MAX_DEPTH:
        part.error = "a multipart message without a boundary parameter"
        return part
    part.parts = list(_split(lines, header_end + 1, str(boundary), first_line, depth))
    if not part.parts:
        part.error = f"no part delimited by boundary {boundary!r}"
    return part


def _header_end(lines: list[str]) -> int:
    """Index of the blank line that ends the header block (or len(lines))."""
    for index, line in enumerate(lines):
        if not line.strip():
            return index
    return len(lines)


def _split(lines: list[str], start: int, boundary: str, first_line: int, depth: int):
    delimiter, close = "--" + boundary, "--" + boundary + "--"
    begin = None
    for index in range(start, len(lines)):
        line = lines[index].rstrip()
        if line in (delimiter, close):
            if begin is not None:
                chunk = "\n".join(lines[begin:index])
                yield parse(chunk, first_line + begin, depth + 1)
            if line == close:
                return
            begin = index + 1
    if begin is not None:  # no closing boundary: the email parser (and cloud-init) keeps
        end = len(lines)   # the last part, up to the end of the message
        while end > begin and not lines[end - 1].strip():
            end -= 1
        yield parse("\n".join(lines[begin:end]) + "\n", first_line + begin, depth + 1)


def message(data: bytes):
    """The message as cloud-init's email parser reads it."""
    import email
    import email.policy

    return email.message_from_bytes(data, policy=email.policy.compat32)


def payloads(msg) -> list[tuple[str, bytes]]:
    """(file name, decoded bytes) of every leaf entity, in order, as cloud-init reads them."""
    out = []
    for entity in msg.walk():
        if entity.get_content_maintype() == "multipart":
            continue
        out.append((entity.get_filename() or "", entity.get_payload(decode=True) or b""))
    return out


def defects(msg) -> list[str]:
    """The defects Python's email parser (which cloud-init uses) finds and tolerates, as
    one line each: cloud-init still runs the parts, but another reader may not."""
    found = []
    for entity in msg.walk():
        for defect in entity.defects:
            name = type(defect).__name__
            hint = _DEFECT_HINTS.get(name, "")
            found.append(f"MIME defect {name}{hint}")
    return found


_DEFECT_HINTS = {
    "CloseBoundaryNotFoundDefect": ": the closing boundary line (--BOUNDARY--) is missing; "
                                   "cloud-init runs the parts anyway, stricter readers drop "
                                   "the last one",
    "StartBoundaryNotFoundDefect": ": no part starts with the boundary the header names",
    "MissingHeaderBodySeparatorDefect": ": a header block is not followed by a blank line",
}
