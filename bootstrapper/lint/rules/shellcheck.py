"""shellcheck: findings of shellcheck in every script the user-data carries, mapped to the
file's line; the message carries the SC code.

A script that fails at boot leaves the instance half set up, and nobody sees it until
someone reads `/var/log/cloud-init-output.log`. Checked: whole `#!` scripts and MIME script
parts, `#cloud-boothook`s, `write_files` entries that start with a shell `#!` (decoded first
when they are base64 or gzip), scripts a script installs through a quoted here-document
(`cat >f <<'EOF'` with a `#!`), and `runcmd` and `bootcmd` as the one `#!/bin/sh` script
cloud-init writes for each (its entries joined in order, each line mapped back to its
entry). Findings point at the line in the original file. shellcheck's level sets the
severity: error → error, warning → warning, info and style → info.

All scripts of a run go to shellcheck in one batch per dialect (split over the cores, and
identical scripts checked once), not one process per script. `# shellcheck disable=SC2086`
inside a script works as usual. Options: `exclude` (SC codes), `level` (the lowest
shellcheck level reported: `style`, `info`, `warning`, `error`). A `runcmd` entry has no
`#!` by design, so SC2148 is never reported for one. Each input gets 1 s of shellcheck
CPU (`BOOTSTRAPPER_SHELLCHECK_BUDGET` allows more), so any one input lints in under 2 s;
a script over 64 KiB is not handed to shellcheck. Either is an error naming the limit (the
file was not fully checked). Render's validation of its own output has a longer deadline,
10 s plus 1 s per 8 KiB.

User-data runs once, as root, at boot, so some codes are judged again (an error that
stops the script is never lowered):

| code | shellcheck says | here | why |
|---|---|---|---|
| SC2024 | sudo doesn't affect redirects | not reported | everything already runs as root |
| SC2155 | declare and assign separately | info | `export X=$(cmd)` boots fine; only a failing `cmd` under `set -e` differs |
| SC2046 | quote this to prevent word splitting | info | `kill $(pgrep x)`, `chown u $(find ...)`: splitting is wanted |
| SC2164 | `cd ... \\|\\| exit` | info | the directory was usually made a line before |
| SC1010 | use a separator before `done` | info | `echo done` as a runcmd entry |
| SC2034, SC2154 | unused / not assigned | dropped in `runcmd`/`bootcmd` when another entry of the list uses / assigns the variable | cloud-init joins the entries into one script (the two-entry IMDSv2 token pattern) |
| SC2154 | not assigned, for a variable only ever written `${name}` | info, naming the likely placeholder | most such files are Terraform templates without another mark |

Terraform `templatefile` and CloudFormation `!Sub` files are checked as rendered: a file
showing `$${`, a `%{ if/for }` directive, `${AWS::...}`, `${!x}`, a `${...}` no shell
accepts (`${var.x}`, `${join(...)}`), a line that is only `${part}`, or named
`*.tpl`/`*.tftpl`/`*.tmpl` has each placeholder replaced by a value as wide as itself,
directives by blanks and `$${x}`/`${!x}` by the shell's `${x}`, so no placeholder is an
"unassigned variable" (SC2154) and columns still point at the text as written. `{{ name }}`
and `{% tag %}` (Ansible, Packer, Jinja without cloud-init's `## template: jinja` header)
are placeholders too; in such a file `${x}` stays the shell's own variable.

bootstrapper's own helper (`/usr/local/sbin/bootstrapper-imds`) is checked as its
configuration alone when the rest is, byte for byte, a copy this version's test suite
checked (`bootstrapper.helper`); SC2034 is not reported there, since the body reads the
names. Every other rule judges it the same way. Any other body is checked whole.

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
LEVEL = "by shellcheck level"  # (docs) error, warning, or info for info and style
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
                text, columns, ours = snippet.text, None, ()
                if id(doc) in templated:
                    named = doc.path.lower().endswith(placeholders.TEMPLATE_SUFFIXES)
                    text, columns = placeholders.untemplate(snippet.text, dollar=named or None)
                elif snippet.ours:  # our helper's configuration: the checked body reads them
                    ours = ("SC2034",)
                unique.setdefault((text, snippet.language, ours), []).append(
                    (doc, snippet, columns))
    keys = list(unique)
    exclude = tuple(ctx.options["exclude"])
    root = _roots(docs)
    scripts = [shellcheck.Script(text, str(index), 0, shell, exclude + ours,
                                 group=str(id(root[id(unique[(text, shell, ours)][0][0])])))
               for index, (text, shell, ours) in enumerate(keys)]
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
