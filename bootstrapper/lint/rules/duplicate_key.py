"""duplicate-key: a key given twice in one mapping of a cloud-config (YAML keeps the last).

YAML keeps the last one and silently drops the first, so half of what was written never
reaches cloud-init: with two `runcmd:` lists only the second runs. Reported at the second
key, naming the line of the first; at any depth, not only top-level keys. Merge the two
into one key (or, for a list meant to add up across MIME parts, see
[`mime-merge`](#mime-merge)).

FAIL:
    #cloud-config
    runcmd: [apt-get update]
    packages: [jq]
    runcmd: [systemctl start app]
PASS:
    #cloud-config
    packages: [jq]
    runcmd: [apt-get update, systemctl start app]
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
