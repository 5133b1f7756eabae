"""mime-merge: two cloud-config parts of one MIME message setting the same list (`runcmd`,
`packages`, ...) without a `Merge-Type`: the later one silently replaces the earlier.

cloud-init merges cloud-config parts with `dict(replace)+list()+str()` unless told
otherwise, so a second part's `runcmd` replaces the first part's, and half the commands
never run. Give the later part a `Merge-Type: list(append)+dict(no_replace,recurse_list)+str()`
header (or a `merge_how` key). Option `keys`: the list keys checked.

FAIL: two `text/cloud-config` parts that both have `runcmd`, no `Merge-Type`.
PASS: the same, the second part with `Merge-Type: list(append)+dict(no_replace,recurse_list)+str()`.
"""

from __future__ import annotations

ID = "mime-merge"
SEVERITY = "warning"
OPTIONS = {"keys": ("runcmd", "bootcmd", "packages", "write_files", "users",
                    "ssh_authorized_keys", "mounts", "snap", "apt")}


def check(doc, ctx):
    if doc.kind != "mime" or "part " in doc.where:  # nested messages: walked from the top
        return
    parts = [d for d in doc.walk() if d.kind == "cloud-config" and d.config is not None
             and isinstance(d.config.data, dict)]
    first_seen: dict[str, object] = {}
    for part in parts:
        for key in ctx.options["keys"]:
            if key not in part.config.data:
                continue
            earlier = first_seen.get(key)
            if earlier is not None and not _merges(part, doc):
                line = part.config.key_line(key)
                yield part, part.problem(line, 0, ID, SEVERITY,
                                   f"{key} here replaces the {key} of {earlier.where}: cloud-init's "
                                   "default merge keeps only the last list; add a Merge-Type "
                                   "header such as 'list(append)+dict(no_replace,recurse_list)+str()'")
            first_seen.setdefault(key, part)
            if _merges(part, doc):
                first_seen[key] = part


def _merges(part, root) -> bool:
    """True when the part says how to merge (header or key), or the message does."""
    headers = {**root.headers, **part.headers}
    return any(h in headers for h in ("merge-type", "x-merge-type")) or \
        any(k in part.config.data for k in ("merge_how", "merge_type"))
