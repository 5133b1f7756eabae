"""yaml-syntax: a cloud-config that is not valid YAML.

cloud-init drops a cloud-config it cannot parse, so none of its modules run. Reported at
the line and column where the parser gave up. Keys written twice in one mapping are a
warning: YAML keeps the last one and silently drops the first (`duplicate-keys` option).

FAIL:
    #cloud-config
    runcmd: [echo hi
PASS:
    #cloud-config
    runcmd: [echo hi]
"""

from __future__ import annotations

ID = "yaml-syntax"
SEVERITY = "error"
OPTIONS = {"duplicate-keys": True}
KINDS = ("cloud-config", "archive")


def check(doc, ctx):
    parsed = doc.config
    if doc.kind not in KINDS or parsed is None:
        return
    offset = doc.offset or 0  # line numbers inside messages are the file's too
    if parsed.error:
        line, column, message, context = parsed.error
        message = message.replace("{context}", str(context + offset))
        yield doc.problem(line, column, ID, SEVERITY, f"not valid YAML: {message}")
    if ctx.options["duplicate-keys"]:
        for line, first, key in parsed.duplicates:
            yield doc.problem(line, 0, ID, "warning",
                              f"duplicate key {key!r} (first on line {first + offset}):"
                              " YAML keeps only this one")
