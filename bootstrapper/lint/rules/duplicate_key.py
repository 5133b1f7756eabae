"""duplicate-key: a key written twice in one YAML mapping of a cloud-config.

YAML keeps the last one and silently drops the first, so half of what was written never
reaches cloud-init (two `runcmd:` lists: only the second runs). Reported at the second
key, naming the line of the first. Merge the two into one key.
"""

from __future__ import annotations

ID = "duplicate-key"
SEVERITY = "warning"
OPTIONS: dict = {}
FORMERLY = ("yaml-syntax", "duplicate-keys")
KINDS = ("cloud-config", "archive")


def check(doc, ctx):
    parsed = doc.config
    if doc.kind not in KINDS or parsed is None:
        return
    offset = doc.offset or 0  # line numbers inside messages are the file's too
    for line, first, key in parsed.duplicates:
        yield doc.problem(line, 0, ID, SEVERITY,
                          f"duplicate key {key!r} (first on line {first + offset}):"
                          " YAML keeps only this one")
