"""Scripts a shell script installs through quoted here-documents (`<<'EOF'`).

shellcheck does not look inside here-documents, so each body that starts with a shebang
of the sh family is a script of its own (the credential helper the bootstrap installs is).
A body the same line decodes (`base64 -d`, piped through `gzip -dc`/`gunzip`/`zcat`, or
cloud-init's word for it, `gz+b64`) is returned with that encoding, for the caller to
decode within its bounds.
"""

from __future__ import annotations

import re

from .types import SHELLS, language_of

_HEREDOC = re.compile(r"<<-?\s*'([A-Za-z_][A-Za-z0-9_]*)'")
_BASE64 = re.compile(r"\bbase64\s+(?:-d|-D|--decode)\b")
_GZIP = re.compile(r"\b(?:gzip\s+-(?:dc|cd|d)|gunzip|zcat)\b")
_WORD = re.compile(r"(?:^|\s)(gz\+b64|b64)(?:\s|$)")


def encoding(line: str) -> str:
    """How the command on `line` decodes its here-document: "", "b64" or "gz+b64"."""
    word = _WORD.search(line)
    if word:
        return word.group(1)
    if _BASE64.search(line):
        return "gz+b64" if _GZIP.search(line) else "b64"
    return ""


def scripts(text: str) -> list[tuple[str, int, str]]:
    """(body, line offset, encoding) of every quoted here-document of `text` that holds a
    shell script, or is encoded (then it is a script only once decoded)."""
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
        how = encoding(lines[index])
        if how or (body.startswith("#!") and language_of(body) in SHELLS):
            out.append((body, index + 1, how))
        index = end + 1
    return out
