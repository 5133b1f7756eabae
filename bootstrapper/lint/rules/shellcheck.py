"""shellcheck: shellcheck findings in every script the user-data carries.

Checked: whole `#!` scripts and MIME script parts, `#cloud-boothook`s, `write_files`
entries that start with a shell `#!` (also base64/gzip ones), scripts installed
through quoted here-documents, and each `runcmd`/`bootcmd` string as `sh` (cloud-init
runs them with /bin/sh). Findings point at the line in the original file; the message
carries the SC code, and shellcheck's level sets the severity (style → info). All
scripts of a run go to shellcheck in one batch per dialect (identical scripts once),
split across `jobs` processes. Options: `exclude` (SC codes), `level` (the lowest
shellcheck level reported: style, info, warning, error). `# shellcheck disable=SC...`
directives inside scripts work as usual.

User-data scripts run once, as root, at boot; shellcheck's levels are for scripts in
general. So some codes are judged again (errors that stop a script never go down):
- SC2024 (sudo does not affect redirects) is not reported: everything runs as root.
- SC2155, SC2046, SC2164, SC1010 are `info`: style that boots fine (`export X=$(cmd)`,
  `kill $(pgrep x)`, `cd /opt`, `echo done`).
- In `runcmd`/`bootcmd`, which cloud-init joins into one script, SC2034 ("appears
  unused") and SC2154 ("referenced but not assigned") are dropped when another entry of
  the same list uses or assigns the variable (the two-entry IMDSv2 token pattern).
- SC2154 about a variable only ever written `${name}` (never `$name`, never assigned) is
  `info` saying it looks like a template placeholder: most such files are Terraform
  templates that show no other mark of it.
- Terraform `templatefile` and CloudFormation `!Sub` templates (see `placeholders`) are
  checked as rendered: placeholders are values, directives blank lines, `$${x}` and
  `${!x}` the shell's `${x}`; columns point at the text as written.

FAIL:
    #!/bin/sh
    cp $1 /tmp        # SC2086: Double quote to prevent globbing and word splitting
PASS:
    #!/bin/sh
    cp "$1" /tmp
"""

from __future__ import annotations

import re

from ... import shellcheck
from .. import placeholders
from ..document import SHELLS

ID = "shellcheck"
SEVERITY = "warning"
OPTIONS = {"exclude": (), "level": "style"}
CHOICES = {"level": ("style", "info", "warning", "error")}
_ROLES = ("script", "command", "heredoc")
# code -> severity for a script run once as root at boot (None: not reported)
BOOT_LEVELS = {"SC2024": None, "SC2155": "info", "SC2046": "info", "SC2164": "info",
               "SC1010": "info"}
_LIST_ENTRY = re.compile(r"^(runcmd|bootcmd)\[")
_NAMED = re.compile(r"^(SC2034|SC2154): (\w+) (?:appears unused|is referenced but not assigned)")


def check_all(docs, ctx):
    """Yield (Document, Problem) for every finding in every document's scripts."""
    templated = _templated(docs)
    unique: dict[tuple[str, str], list] = {}
    for doc in docs:
        for snippet in doc.snippets:
            if snippet.language in SHELLS and snippet.role in _ROLES and snippet.text.strip():
                text, columns = snippet.text, None
                if id(doc) in templated:
                    named = doc.path.lower().endswith(placeholders.TEMPLATE_SUFFIXES)
                    text, columns = placeholders.untemplate(snippet.text, dollar=named or None)
                unique.setdefault((text, snippet.language), []).append((doc, snippet, columns))
    keys = list(unique)
    exclude = tuple(ctx.options["exclude"])
    root = _roots(docs)
    scripts = [shellcheck.Script(text, str(index), 0, shell, exclude,
                                 group=str(id(root[id(unique[(text, shell)][0][0])])))
               for index, (text, shell) in enumerate(keys)]
    if ctx.budget is None:  # render's validation: its own, generous deadline
        found, unchecked = shellcheck.check(scripts, ctx.options["level"], ctx.jobs), {}
    else:
        found, unchecked = shellcheck.check_within(scripts, ctx.budget, ctx.options["level"],
                                                   ctx.jobs)
    for index, why in unchecked.items():  # cut short by the bound: an error, at each copy
        for doc, snippet, _ in unique[keys[index]]:
            line, column, note = snippet.locate(1, 0)
            yield doc, doc.problem(line, 0, ID, "error", why + note)
    for finding in found:
        code = finding.message.split(":", 1)[0]
        severity = _boot_severity(code, finding.severity)
        if severity is None:
            continue
        for doc, snippet, columns in unique[keys[int(finding.path)]]:
            if code == "SC2148" and not snippet.has_shebang:
                continue  # a runcmd line has no shebang by design: cloud-init adds one
            if _answered_by_sibling(finding.message, doc, snippet):
                continue
            if code == "SC2043" and columns is not None:
                continue  # `for x in ${list}`: one word here, many once Terraform renders it
            message, level = finding.message, severity
            if code == "SC2154" and _placeholder_like(message, snippet.text):
                level = "info"
                message += _PLACEHOLDER_NOTE.format(_NAMED.match(message).group(2))
            column = finding.column
            if columns is not None:
                column = placeholders.written_column(snippet.text, columns, finding.line, column)
            line, column, note = snippet.locate(finding.line, column)
            yield doc, doc.problem(line, column, ID, level, message + note)


_PLACEHOLDER_NOTE = (" (only ever written ${{{}}}: a Terraform templatefile placeholder? Name the "
                     "file *.tftpl and lint checks it as the rendered script)")


def _placeholder_like(message: str, text: str) -> bool:
    """SC2154 about a variable only ever written `${name}`, in braces, as templates do."""
    named = _NAMED.match(message)
    if not named:
        return False
    name = named.group(2)
    return "${" + name + "}" in text and not re.search(r"\$" + name + r"\b", text)


def _boot_severity(code: str, severity: str) -> str | None:
    if severity == "error":
        return severity
    return BOOT_LEVELS.get(code, severity)


def _roots(docs) -> dict[int, object]:
    """id of each document -> the file's root document (docs come root first, in walk
    order), so that the shellcheck budget is per file."""
    out: dict[int, object] = {}
    for doc in docs:
        if id(doc) not in out:
            out.update((id(inner), doc) for inner in doc.walk())
    return out


def _templated(docs) -> set[int]:
    """ids of the documents inside a file that reads as a Terraform/CloudFormation template."""
    out: set[int] = set()
    for doc in docs:
        if id(doc) not in out and placeholders.is_template(doc.text, doc.path):
            out.update(id(d) for d in doc.walk())
    return out


def _answered_by_sibling(message: str, doc, snippet) -> bool:
    """SC2034/SC2154 about a variable another entry of the same runcmd/bootcmd list uses
    or assigns: cloud-init runs the entries as one script, so the variable is fine."""
    named = _NAMED.match(message)
    module = _LIST_ENTRY.match(snippet.where)
    if not named or not module:
        return False
    name = named.group(2)
    wanted = (re.compile(r"\$\{?" + name + r"\b") if named.group(1) == "SC2034"
              else re.compile(r"(?:^|[\s;&|(])(?:export\s+|readonly\s+)?" + name + r"=|"
                              r"\b(?:read|for)\s+(?:-\w+\s+)*" + name + r"\b"))
    return any(other is not snippet and other.where.startswith(module.group(1) + "[")
               and wanted.search(other.text) for other in doc.snippets)
