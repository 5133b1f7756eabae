"""schema: a cloud-config that breaks the cloud-config schema.

Validated against the installed cloud-init's own schema when there is one (Debian's
`cloud-init` package), else bootstrapper's built-in one, or `--schema FILE`; findings
point at the offending key. Keys the schema marks deprecated are warnings, as
`cloud-init schema` prints them without failing. A top-level key no module reads is a
warning with the closest known key (cloud-init ignores it silently): option
`unknown-keys`. In `## template: jinja` files, values that are only known at boot
(placeholders) never fail.

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

import difflib

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
                          issue.message)
    if ctx.options["unknown-keys"]:
        yield from _unknown_keys(doc, parsed, checker.source.known_keys)


def _unknown_keys(doc, parsed, known):
    for key in parsed.data:
        name = str(key)
        if name in known or PLACEHOLDER in name:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        yield doc.problem(parsed.key_line(name), 1, ID, "warning",
                          f"unknown key {name!r}: no cloud-init module reads it{hint}")
