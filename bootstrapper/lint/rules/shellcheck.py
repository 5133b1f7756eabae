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

FAIL:
    #!/bin/sh
    cp $1 /tmp        # SC2086: Double quote to prevent globbing and word splitting
PASS:
    #!/bin/sh
    cp "$1" /tmp
"""

from __future__ import annotations

from ... import shellcheck
from ..document import SHELLS

ID = "shellcheck"
SEVERITY = "warning"
OPTIONS = {"exclude": (), "level": "style"}
CHOICES = {"level": ("style", "info", "warning", "error")}
_ROLES = ("script", "command", "heredoc")


def check_all(docs, ctx):
    """Yield (Document, Problem) for every finding in every document's scripts."""
    unique: dict[tuple[str, str], list] = {}
    for doc in docs:
        for snippet in doc.snippets:
            if snippet.language in SHELLS and snippet.role in _ROLES and snippet.text.strip():
                unique.setdefault((snippet.text, snippet.language), []).append((doc, snippet))
    keys = list(unique)
    exclude = tuple(ctx.options["exclude"])
    scripts = [shellcheck.Script(text, str(index), 0, shell, exclude)
               for index, (text, shell) in enumerate(keys)]
    for finding in shellcheck.check(scripts, severity=ctx.options["level"], jobs=ctx.jobs):
        for doc, snippet in unique[keys[int(finding.path)]]:
            if finding.message.startswith("SC2148") and not snippet.has_shebang:
                continue  # a runcmd line has no shebang by design: cloud-init adds one
            line, column, note = snippet.locate(finding.line, finding.column)
            yield doc, doc.problem(line, column, ID, finding.severity, finding.message + note)
