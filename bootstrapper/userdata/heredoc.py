"""Scripts a shell script installs through quoted here-documents (`<<'EOF'`).

shellcheck does not look inside here-documents, so each body that starts with a shebang
of the sh family is a script of its own (the credential helper the bootstrap installs is).
A body the command on its line decodes — `base64 -d <<'X'` (piped on through `gzip -dc`,
`gunzip` or `zcat`), or bootstrapper's `install_file PATH MODE gz+b64 <<'X'` — is returned
with that encoding, for the caller to decode within its bounds. Only the command that reads
the here-document counts: `echo b64; cat >f <<'X'` is a plain script.
"""

from __future__ import annotations

import re

from .types import SHELLS, language_of

_HEREDOC = re.compile(r"<<-?\s*'([A-Za-z_][A-Za-z0-9_]*)'")
# the simple command that reads the here-document: from the last ; & | ( before `<<`
_COMMAND = re.compile(r"(?:^|[;&|(])([^;&|(]*)<<-?\s*'[A-Za-z_][A-Za-z0-9_]*'(.*)$")
_BASE64 = re.compile(r"^\s*base64\s+(?:-d|-D|--decode)\b")
_INSTALL = re.compile(r"^\s*install_file\s+\S+\s+\S+\s+gz\+b64\s*$")
_GZIP = re.compile(r"^\s*\|\s*(?:gzip\s+-(?:dc|cd|d)|gunzip|zcat)\b")


def encoding(line: str) -> str:
    """How the command on `line` that reads its here-document decodes it: "", "b64" or
    "gz+b64"."""
    command = _COMMAND.search(line)
    if not command:
        return ""
    reader, after = command.groups()
    if _INSTALL.match(reader):
        return "gz+b64"
    if _BASE64.match(reader):
        return "gz+b64" if _GZIP.match(after) else "b64"
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
