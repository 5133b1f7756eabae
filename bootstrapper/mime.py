"""--format mime: the bootstrap and the user's own parts as one multipart/mixed user-data.

The message is written byte by byte rather than through `email.generator`, so it is the
same on every run: a fixed boundary (refused if it occurs in any part), no dates, no random
ids. A part that is 7-bit clean travels as is; anything else (UTF-8, CR, long lines) travels
base64, because cloud-init decodes an 8-bit body of a parsed message as Latin-1: a UTF-8
cloud-config part sent 8bit is garbled, fails to load and is dropped whole.

Order and merging, as cloud-init 22.4 does them:
- cloud-config parts are merged in message order, each with its own Merge-Type; the default
  `dict(replace)+list()+str()` lets a later part's `runcmd` replace an earlier one. So the
  bootstrap comes last with BOOTSTRAP_MERGE_TYPE: it cannot be replaced by a user part, it
  replaces none of the user's values, and its list items (write_files, runcmd) go first.
- shell-script parts and the `runcmd` script run from one directory sorted by file name.
  The credentials are fetched by `runcmd`, so a user script's default name sorts after it
  (`user-01-app.sh`): a user script can read the credential files.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass

from . import encode
from .errors import InputError, ProfileError, RefusedError

BOOTSTRAP_MERGE_TYPE = "list(prepend)+dict(no_replace,recurse_list)+str()"
BOOTSTRAP_FILENAMES = {"cloud-config": "bootstrapper.cfg", "shell": "bootstrapper.sh"}
MAX_PART_BYTES = 1 << 20  # even gzipped, no more fits EC2's 16 KiB

# First-line prefix → content type, as cloud-init 22.4 maps them (longest prefix wins).
PREFIX_TYPES = {
    "#cloud-config-archive": "text/cloud-config-archive",
    "#cloud-config-jsonp": "text/cloud-config-jsonp",
    "#cloud-config": "text/cloud-config",
    "#cloud-boothook": "text/cloud-boothook",
    "#include-once": "text/x-include-once-url",
    "#include": "text/x-include-url",
    "#part-handler": "text/part-handler",
    "## template: jinja": "text/jinja2",
    "#!": "text/x-shellscript",
}
# Types only a MIME header can give; cloud-init runs them as scripts at other times.
HEADER_ONLY_TYPES = ("text/x-shellscript-per-boot", "text/x-shellscript-per-instance",
                     "text/x-shellscript-per-once")
KNOWN_TYPES = tuple(sorted(set(PREFIX_TYPES.values()) | set(HEADER_ONLY_TYPES)))
# A `#!` file may be declared as any of these instead of text/x-shellscript.
_SCRIPT_TYPES = ("text/x-shellscript", "text/cloud-boothook") + HEADER_ONLY_TYPES
_MERGEABLE = ("text/cloud-config", "text/jinja2")

_TYPE = re.compile(r"(text|application)/[a-z0-9][a-z0-9.+-]*", re.IGNORECASE)
_MERGE = re.compile(r"(list|dict|str)\(([a-z_,]*)\)(\+(list|dict|str)\(([a-z_,]*)\))*")
_MERGE_OPTIONS = {"append", "prepend", "replace", "no_replace", "recurse_str", "recurse_dict",
                  "recurse_array", "recurse_list", "allow_delete"}
_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class PartSpec:
    """One `--part FILE[:TYPE][:merge=MERGE-TYPE][:filename=NAME]`."""

    path: str
    content_type: str | None = None
    merge_type: str | None = None
    filename: str | None = None


@dataclass(frozen=True)
class Part:
    content: bytes
    content_type: str
    filename: str
    merge_type: str | None = None


def sniff(content: bytes) -> str | None:
    """The content type cloud-init infers from the first line, or None."""
    try:
        head = content[:64].decode("utf-8", "ignore").lstrip().lower()
    except UnicodeDecodeError:  # pragma: no cover - "ignore" never raises
        return None
    for prefix, content_type in PREFIX_TYPES.items():  # ordered longest-first where it matters
        if head.startswith(prefix):
            return content_type
    return None


def parse_spec(spec: str) -> PartSpec:
    """Split a part spec; trailing `:TYPE`, `:merge=...`, `:filename=...` in any order."""
    pieces = spec.split(":")
    found: dict[str, str] = {}
    while len(pieces) > 1:
        last = pieces[-1]
        key = ("merge" if last.startswith("merge=") else "filename"
               if last.startswith("filename=") else "type" if _TYPE.fullmatch(last) else None)
        if key is None:
            break
        if key in found:
            raise ProfileError("parts", f"{spec!r}: gives {key} twice")
        found[key] = last.partition("=")[2] if key != "type" else last.lower()
        pieces.pop()
    path = ":".join(pieces)
    if not path:
        raise ProfileError("parts", f"{spec!r}: no file name (FILE[:content-type])")
    merge = found.get("merge")
    if merge is not None:
        _check_merge_type(spec, merge)
    name = found.get("filename")
    if name is not None and not _FILENAME.fullmatch(name):
        raise ProfileError("parts", f"{spec!r}: filename must be 1-100 of letters, digits "
                           "and ._- (cloud-init writes scripts under this name)")
    return PartSpec(path, found.get("type"), merge, name)


def _check_merge_type(spec: str, merge: str) -> None:
    match = _MERGE.fullmatch(merge)
    options = set(re.findall(r"[a-z_]+", re.sub(r"(list|dict|str)\(", "(", merge)))
    if not match or not options <= _MERGE_OPTIONS:
        raise ProfileError("parts", f"{spec!r}: merge type must look like "
                           f"{BOOTSTRAP_MERGE_TYPE!r}; options: "
                           f"{', '.join(sorted(_MERGE_OPTIONS))}")


def load_part(spec: PartSpec, default_name: str) -> Part:
    """Read one user part and decide its type; refuse what cloud-init would mishandle."""
    content = _read(spec.path)
    where = f"{spec.path}"
    if not content.strip():
        raise InputError(f"{where}: part is empty")
    encoding = encode.encoded_as(content)
    if encoding:
        raise RefusedError(f"{where}: this part is already {encoding}-encoded; inside MIME "
                           f"cloud-init would not undo that. Give the plain file, and encode "
                           f"the whole user-data instead (--gzip, --base64)")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{where}: part is not UTF-8 text (byte {err.start}); cloud-init "
                         "reads parts as UTF-8") from err
    content_type = _content_type(spec, content, where)
    if spec.merge_type and content_type not in _MERGEABLE:
        raise ProfileError("parts", f"{where}: merge= applies to cloud-config parts only "
                           f"(this one is {content_type})")
    if content_type == "text/cloud-config":
        _check_cloud_config(text, where)
    return Part(content, content_type, spec.filename or default_name, spec.merge_type)


def _read(path: str) -> bytes:
    from .inputs import read_capped

    content = read_capped(path, "part")
    if len(content) > MAX_PART_BYTES:
        raise InputError(f"{path}: part is over {MAX_PART_BYTES} bytes; user-data cannot "
                         "hold it even gzipped")
    return content


def _content_type(spec: PartSpec, content: bytes, where: str) -> str:
    inferred = sniff(content)
    given = spec.content_type
    if given is None:
        if inferred is None:
            raise ProfileError("parts", f"{where}: cannot tell the content type from the "
                               f"first line; start it with #cloud-config, #!, #cloud-boothook, "
                               f"#include or '## template: jinja', or give FILE:TYPE")
        return inferred
    if given not in KNOWN_TYPES:
        import difflib

        close = difflib.get_close_matches(given, KNOWN_TYPES, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ProfileError("parts", f"{where}: cloud-init has no handler for {given}{hint} "
                           f"(known: {', '.join(KNOWN_TYPES)})")
    compatible = (inferred is None or inferred == given
                  or inferred == "text/x-shellscript" and given in _SCRIPT_TYPES)
    if not compatible:
        raise ProfileError("parts", f"{where}: declared {given} but its first line makes it "
                           f"{inferred}")
    return given


def _check_cloud_config(text: str, where: str) -> None:
    import yaml  # lazy: only with parts

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise RefusedError(f"{where}{line}: cloud-config part is not valid YAML: "
                           f"{getattr(err, 'problem', None) or err}") from err
    if not isinstance(document, dict):
        raise RefusedError(f"{where}: a cloud-config part must be a YAML mapping")


def default_name(index: int, count: int, path: str) -> str:
    """`user-NN-<file name>`: keeps the given order and sorts after cloud-init's `runcmd`."""
    width = max(2, len(str(count)))
    base = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(path)).lstrip("._-") or "part"
    return f"user-{index:0{width}d}-{base}"[:100]


# --- writing the message ----------------------------------------------------------------


def assemble(bootstrap: bytes, kind: str, specs: tuple[str, ...] | list[str],
             boundary: str) -> bytes:
    """The multipart/mixed user-data: the user's parts in the order given, then ours."""
    parsed = [parse_spec(s) for s in specs]
    parts = [load_part(spec, default_name(i, len(parsed), spec.path))
             for i, spec in enumerate(parsed, 1)]
    ours = Part(bootstrap, "text/x-shellscript" if kind == "shell" else "text/cloud-config",
                BOOTSTRAP_FILENAMES["shell" if kind == "shell" else "cloud-config"],
                None if kind == "shell" else BOOTSTRAP_MERGE_TYPE)
    parts.append(ours)
    _check_unique_names(parts)
    return write(parts, boundary)


def _check_unique_names(parts: list[Part]) -> None:
    seen: set[str] = set()
    for part in parts:
        if part.filename in seen:
            raise ProfileError("parts", f"two parts are named {part.filename!r}; cloud-init "
                               "would write one over the other (give filename=...)")
        seen.add(part.filename)


def write(parts: list[Part], boundary: str) -> bytes:
    """Serialise `parts`; refuse a boundary that occurs in any of them."""
    marker = boundary.encode("ascii")
    out = [b'Content-Type: multipart/mixed; boundary="' + marker + b'"\n'
           b"MIME-Version: 1.0\n"]
    for part in parts:
        headers, body = _encode_part(part)
        if marker in body or marker in headers:
            raise ProfileError("mime_boundary", f"{boundary!r} occurs in part "
                               f"{part.filename!r}; choose another --mime-boundary")
        out.append(b"\n--" + marker + b"\n" + headers + b"\n" + body)
    out.append(b"\n--" + marker + b"--\n")
    return b"".join(out)


def _encode_part(part: Part) -> tuple[bytes, bytes]:
    """Headers and body. The line break before the next boundary belongs to the boundary,
    so the body is the content exactly, whether or not it ends with a newline."""
    if _is_7bit(part.content):
        charset, transfer, body = "us-ascii", "7bit", part.content
    else:
        charset, transfer = "utf-8", "base64"
        flat = base64.b64encode(part.content)
        body = b"\n".join(flat[i:i + 76] for i in range(0, len(flat), 76)) + b"\n"
    lines = [f'Content-Type: {part.content_type}; charset="{charset}"',
             f"Content-Transfer-Encoding: {transfer}",
             f'Content-Disposition: attachment; filename="{part.filename}"']
    if part.merge_type:
        lines.append(f"X-Merge-Type: {part.merge_type}")
    return ("\n".join(lines) + "\n").encode("ascii"), body


def _is_7bit(content: bytes) -> bool:
    """RFC 2045 7bit: ASCII without NUL or CR, lines of at most 998 octets."""
    if not content.isascii() or b"\0" in content or b"\r" in content:
        return False
    return all(len(line) <= 998 for line in content.split(b"\n"))
