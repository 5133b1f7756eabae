"""schema: a cloud-config that breaks the cloud-config schema.

Validated against the installed cloud-init's own schema when there is one (Debian's
`cloud-init` package), else bootstrapper's built-in one, or `--schema FILE`; findings
point at the offending key. A value that is so only because of a YAML trap (an unquoted
`: ` turning a `runcmd` entry into a mapping, `yes`/`no`/`on` read as booleans) is
explained as such, with how to quote it. A cloud-config part that is nothing but a
Terraform placeholder (`${cloud_config}`) is not checked. Keys the schema marks
deprecated are warnings, as `cloud-init schema` prints them without failing. A top-level
key no module reads is a warning with the closest known key (cloud-init ignores it
silently): option `unknown-keys`. Which keys exist is that of the targeted cloud-init
release (`--cloud-init-version`, default the installed one, else the newest bundled); a
key that another release reads names both (`ubuntu_pro` is read from 24.1 on). Also in a
cloud-config that lacks its `#cloud-config` line (reported by unknown-format), so adding
the header is not the end of it. In `## template: jinja` files, values that are only
known at boot (placeholders) never fail.

FAIL:
    #cloud-config
    packages: curl          # must be a list
    runcmds: [ls]           # warning: did you mean 'runcmd'?
PASS:
    #cloud-config
    packages: [curl]
    runcmd: [ls]
"""

from __future__ import annotations

import re

from .. import yamltraps
from ..template import PLACEHOLDER

ID = "schema"
SEVERITY = "error"
OPTIONS = {"unknown-keys": True}


def check(doc, ctx):
    parsed = doc.config
    if doc.kind != "cloud-config" or parsed is None or parsed.error:
        return
    if parsed.data is None:
        yield doc.problem(1, 0, ID, SEVERITY, "an empty cloud-config: `cloud-init schema` "
                          "rejects it (write `{}` for one that is empty on purpose)")
        return
    if isinstance(parsed.data, str) and _WHOLE_PLACEHOLDER.match(parsed.data):
        return  # `${cloud_config}`: a part Terraform fills in; checked once rendered
    if not isinstance(parsed.data, dict):
        yield doc.problem(1, 0, ID, SEVERITY, "a cloud-config must be a mapping of module "
                          f"keys, not a {type(parsed.data).__name__}")
        return
    checker = ctx.checker()
    for issue in checker.issues(parsed.data):
        if doc.templated and PLACEHOLDER in repr(issue.instance):
            continue
        line, column = parsed.line_of(issue.path)
        yield doc.problem(line, column, ID, "warning" if issue.deprecated else SEVERITY,
                          _explained(issue, parsed.data, doc.text, line, column))


_WHOLE_PLACEHOLDER = re.compile(r"^\s*\$\{[\w.]+\}\s*$")


def _explained(issue, data, text: str, line: int, column: int) -> str:
    """The schema's message, or what a YAML trap did and how to quote it."""
    for step in issue.path:  # the value at the path (issue.instance may be its parent)
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            data = None
            break
    lines = text.split("\n")
    source = lines[line - 1][column - 1:] if 0 < line <= len(lines) and column else ""
    word = re.match(r"[^\s,\]}#]*", source).group()
    trap = yamltraps.boolean(data, word) or _number(issue, data, word)
    where = ".".join(map(str, issue.path))
    return (yamltraps.colon(issue.path, issue.instance)
            or (f"{where}: {trap}" if trap and where else trap) or issue.message)


def _number(issue, data, word: str) -> str:
    """Only where the schema wanted a string (a port number where one is wanted is fine)."""
    if "of type 'string'" not in issue.message:
        return ""
    return yamltraps.number(data, word, str(issue.path[-1]) if issue.path else "")
