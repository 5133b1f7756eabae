"""schema: a cloud-config that breaks the cloud-config schema, YAML traps explained;
deprecated keys (warning).

cloud-init skips a module whose configuration is invalid (or fails in it at boot), so the
packages are not installed, the files not written. The schema is the installed cloud-init's
own when there is one (Debian and Ubuntu's `cloud-init` package; found in its Python
package), so lint agrees with `cloud-init schema -c` on what is valid (a test runs both on
every cloud-config of the corpus). Otherwise the built-in schema, which covers the common
modules. `--schema builtin` forces the built-in one, `--schema cloud-init` requires the
installed one, `--schema FILE` uses a JSON schema file (sibling `*.json` files resolve
`$ref`s). Findings point at the offending key or value. An empty cloud-config is an error
(`cloud-init schema` rejects it: write `{}` for one that is empty on purpose), and so is one
that is not a mapping. Like cloud-init, keys the schema marks deprecated are warnings, not
errors. Top-level keys no module reads are [`unknown-key`](#unknown-key).

YAML traps are explained instead of reported in jsonschema's words, with how to quote the
value: an unquoted `: ` in a `runcmd` entry (YAML made it a mapping: quote the whole entry),
`yes`/`no`/`on`/`off` where a string is wanted (YAML made them booleans), and numbers where a
string is wanted (`permissions: 644` is the decimal 644, `0755` an octal number). A tab used
for indentation and a ` #` that cut a command short are [`yaml-syntax`](#yaml-syntax)
findings. A cloud-config part that is only a Terraform placeholder (`${cloud_config}`) is
not checked (lint the rendered file), and in `## template: jinja` files values that are
only known at boot (placeholders) never fail.

FAIL:
    #cloud-config
    packages: curl          # must be a list
PASS:
    #cloud-config
    packages: [curl]
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
