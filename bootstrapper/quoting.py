"""The one quoting path: every value that reaches a shell word or a YAML scalar goes through here.

Both filters are exposed to templates (`| sh`, `| yaml`) and used by the built-in templates,
so user templates and ours quote the same way.
"""

from __future__ import annotations

import json
import sys

from .errors import TemplateError

# YAML 1.1 (PyYAML) and YAML 1.2 both accept these printable characters in a double-quoted
# scalar; everything else is written as an escape, so any str round-trips.
_YAML_SAFE_PRINTABLE = set(range(0x20, 0x7F))
# Written as \xNN escapes (YAML reads them back the same), so a `| yaml` scalar that lands in
# a shell line is inert too: inside sh double quotes, `$`, a backtick and `\` are the only
# active characters, and `"` would end the quotes.
_SHELL_ACTIVE = frozenset('$`\\"')


def sh(value: object) -> str:
    """Quote `value` as exactly one POSIX shell word that expands to itself.

    Single quotes stop every expansion in sh; an embedded quote is closed, escaped and
    reopened (`'\\''`). NUL cannot be carried by any shell word, so it is refused.
    """
    text = _text(value, "sh")
    if "\x00" in text:
        raise TemplateError("the sh filter cannot quote a value containing a NUL byte")
    return "'" + text.replace("'", "'\\''") + "'"


def yaml_scalar(value: object, shell_inert: bool = True) -> str:
    """Render `value` as one YAML double-quoted scalar on one line.

    Booleans and numbers are written as YAML would read them back; anything else as a string,
    with every character outside printable ASCII escaped, so no value can start a new key,
    a document (`---`), a comment, or change indentation; and (unless `shell_inert` is off,
    for file contents) `$`, backtick, `\\` and `"` escaped too, so the same text in a shell
    line expands nothing.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = _text(value, "yaml")
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _SHELL_ACTIVE and shell_inert:
            out.append(f"\\x{code:02x}")
        elif ch in '"\\':
            out.append("\\" + ch)
        elif code in _YAML_SAFE_PRINTABLE:
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def yaml_block(value: object, indent: int) -> str:
    """Render a multi-line string as a YAML literal block (`|`) indented by `indent` spaces.

    Used for file contents carried in `write_files`. Falls back to `yaml_scalar` when the
    text cannot be a literal block exactly (non-printable characters, trailing spaces,
    a leading blank or indented first line, a missing final newline).
    """
    text = _text(value, "yaml_block")
    if not _literal_block_safe(text):
        return yaml_scalar(text, shell_inert=False)  # a file's content: never a shell line
    pad = " " * indent
    # No final line break: the template's own line end closes the last line.
    body = "\n".join(pad + line if line else line for line in text[:-1].split("\n"))
    chomp = "" if not text.endswith("\n\n") else "+"
    return f"|{chomp}\n{body}"


def _literal_block_safe(text: str) -> bool:
    if not text.endswith("\n") or text.startswith((" ", "\n")):
        return False
    for line in text.split("\n"):
        if line != line.rstrip(" \t"):
            return False
        if any(not (ch == "\t" or 0x20 <= ord(ch) < 0x7F) for ch in line):
            return False
    return True


def strip_comments(text: str) -> str:
    """The copy of one of our scripts carried in user-data, which spends its 16 KB on code:
    full-line `#` comments, blank lines and leading tabs dropped after the leading header
    block, `# shellcheck` directives kept. The template keeps all of it (`bootstrapper
    templates show`). Only for our own scripts, whose here-documents hold no `#` lines and
    no tab-indented text whose indentation matters."""
    lines = text.split("\n")
    header = 0
    while header < len(lines) and lines[header].startswith("#"):
        header += 1
    kept = lines[:header] + [
        line.lstrip("\t") for line in lines[header:]
        if line.strip() and (not line.lstrip().startswith("#")
                             or line.lstrip().startswith("# shellcheck"))
    ]
    return "\n".join(kept) + ("\n" if text.endswith("\n") else "")


def gz_b64(text: str, width: int = 0) -> str:
    """`text` gzip-compressed (level 9, no timestamp: the same bytes every run) and
    base64-encoded, as cloud-init's `encoding: gz+b64` reads it; `width` wraps it into
    lines, each ending in a newline (MIME wants lines under 998 bytes; base64 decoders skip
    the newlines)."""
    import base64

    from .encode import gzip_bytes

    encoded = base64.b64encode(gzip_bytes(text.encode("utf-8"))).decode()
    if not width:
        return encoded
    return "".join(encoded[i:i + width] + "\n" for i in range(0, len(encoded), width))


def json_string(value: object) -> str:
    """A JSON string literal (used for JSON documents a template writes)."""
    return json.dumps(_text(value, "json"))


def _text(value: object, name: str) -> str:
    # Only a render hands an Undefined, and it has Jinja loaded; reconfigure.py quotes
    # configuration lines without it.
    jinja2 = sys.modules.get("jinja2")
    if jinja2 is not None and isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises UndefinedError, which names the variable
    if value is None:
        raise TemplateError(f"the {name} filter was given no value (None)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return str.__str__(value)  # a plain str: the quoted result carries no vars taint
    if isinstance(value, (int, float)):
        return str(value)
    raise TemplateError(f"the {name} filter takes a string, not {type(value).__name__}")
