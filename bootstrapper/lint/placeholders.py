"""Terraform `templatefile`, CloudFormation `!Sub` and `{{ }}` placeholders in scripts.

Many user-data files in repositories are templates, filled in before EC2 sees them:
Terraform writes `${var}` (its own), `$${x}` (the shell's `${x}`) and `%{ if }`
directives; CloudFormation's `!Sub` writes `${Param}`, `${AWS::Region}` and `${!x}` (the
shell's `${x}`); Ansible, Packer and Go templates write `{{ name }}`. Shellcheck read
as-is reports every placeholder as a variable "referenced but not assigned" (SC2154) and
every directive as a literal brace.

A script is taken for a template when it shows a mark only templates have (`$${`, `%{`,
`${!`, `${AWS::`, a `${...}` holding what no shell parameter can hold, like `var.x` or
`join(...)`, a line that is only `${part}`, `{{ name }}`, `{% tag %}`), or when its file
is named `.tpl`, `.tftpl` or `.tmpl`. Then `untemplate` gives the script as it will be
once rendered, with each placeholder a plain word of the same width, and a column map
back to the text as written.
"""

from __future__ import annotations

import re

TEMPLATE_SUFFIXES = (".tpl", ".tftpl", ".tmpl")
# Terraform's directives (curl's `-w '%{http_code}'` is not one), Jinja/Ansible/Go ones
_DIRECTIVE = r"%\{~?\s*(?:if|else|endif|for|endfor)\b[^}]*\}|\{%[^%\n]*%\}"
# Jinja, Ansible, Packer, Go templates: {{ name }}
_MUSTACHE = r"\{\{[^{}\n]*\}\}"
# a `${...}` no shell would accept: a dotted or called expression, or AWS::Pseudo
_FOREIGN = r"\$\{(?:AWS::|[^}\s:]*[.(][\w\"'(]|!)"
# ... or a line that is nothing but `${name}`: a whole part filled in by Terraform
_DOLLAR_MARKS = re.compile(r"\$\$\{|%\{~?\s*(?:if|else|endif|for|endfor)\b|" + _FOREIGN
                           + r"|^[ \t]*\$\{\w+\}[ \t]*$", re.M)
_BRACE_MARKS = re.compile(_MUSTACHE + r"|\{%[^%\n]*%\}")
MARKS = re.compile(_DOLLAR_MARKS.pattern + "|" + _BRACE_MARKS.pattern, re.M)
_DOLLAR_PIECES = re.compile(r"\$\$\{|\$\{!|" + _DIRECTIVE + "|" + _MUSTACHE + r"|\$\{[^}]*\}")
_BRACE_PIECES = re.compile(_DIRECTIVE + "|" + _MUSTACHE)


def is_template(text: str, path: str = "") -> bool:
    """True when `text` (or its file's name) says it is a Terraform/CloudFormation template."""
    return bool(MARKS.search(text)) or path.lower().endswith(TEMPLATE_SUFFIXES)


def untemplate(text: str, dollar: bool | None = None) -> tuple[str, list[list[int]]]:
    """(rendered-like text, per line the offset in `text` of each of its characters).

    `$${` and `${!` become the shell's `${`; `%{ ... }` becomes blanks; any other
    `${...}` a word of `x` as wide as itself (a value, never an unassigned variable);
    `{{ ... }}` too, `{% ... %}` blanks. `${...}` counts as a placeholder when `dollar`
    (default: when the text shows a Terraform/CloudFormation mark).
    Lines never move: only columns within a line shift, and the map undoes that.
    """
    out: list[str] = []
    columns: list[list[int]] = [[]]
    pos = 0
    # `${x}` is a placeholder only in Terraform/CloudFormation templates; in a `{{ }}`
    # template (Ansible, Packer) it is the shell's own variable and stays
    if dollar is None:
        dollar = bool(_DOLLAR_MARKS.search(text))
    pieces = _DOLLAR_PIECES if dollar else _BRACE_PIECES
    for match in pieces.finditer(text):
        _copy(text, pos, match.start(), out, columns)
        piece = match.group()
        if piece in ("$${", "${!"):
            out.append("${")
            first = match.start() + (1 if piece == "$${" else 0)
            columns[-1] += [first, first + 1]
        elif piece.startswith(("%", "{%")):
            out.append(" " * len(piece))
            columns[-1] += range(match.start(), match.end())
        else:
            out.append("x" * len(piece))
            columns[-1] += range(match.start(), match.end())
        pos = match.end()
    _copy(text, pos, len(text), out, columns)
    return "".join(out), columns


def _copy(text: str, start: int, end: int, out: list[str], columns: list[list[int]]) -> None:
    """Copy text[start:end] unchanged, noting each character's offset in `text`."""
    for index in range(start, end):
        out.append(text[index])
        if text[index] == "\n":
            columns.append([])
        else:
            columns[-1].append(index)


def written_column(text: str, columns: list[list[int]], line: int, column: int) -> int:
    """The 1-based column in the written `text` of 1-based `column` on 1-based `line`."""
    if line < 1 or line > len(columns) or column < 1:
        return column
    row = columns[line - 1]
    if not row:
        return column
    offset = row[min(column, len(row)) - 1]
    return offset - (text.rfind("\n", 0, offset) + 1) + 1
