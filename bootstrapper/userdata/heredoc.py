"""Scripts a shell script installs through quoted here-documents (`<<'EOF'`).

shellcheck does not look inside here-documents, so each body that starts with a shebang
of the sh family is a script of its own (the credential helper the bootstrap installs is).
"""

from __future__ import annotations

import re

from .types import SHELLS, language_of

_HEREDOC = re.compile(r"<<-?\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*$")


def scripts(text: str) -> list[tuple[str, int]]:
    """(body, line offset) of every shell script in a quoted here-document of `text`."""
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
        if body.startswith("#!") and language_of(body) in SHELLS:
            out.append((body, index + 1))
        index = end + 1
    return out
