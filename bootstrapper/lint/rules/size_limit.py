"""size-limit: user-data over EC2's 16,384-byte limit (measured after gzip, before base64).

EC2 refuses larger user-data at launch. The limit applies to what you give EC2 before its
own base64: a base64 file is measured decoded, and gzip counts compressed (cloud-init
decompresses it). The message says whether gzip would make it fit. Option `limit`: the
byte limit. `bootstrapper render` applies the same limit to its output (after `--gzip`).

FAIL: a 20,000-byte cloud-config.
PASS: the same file gzipped to 6,000 bytes.
"""

from __future__ import annotations

from ...encode import EC2_LIMIT, gzip_bytes

ID = "size-limit"
SEVERITY = "error"
OPTIONS = {"limit": EC2_LIMIT}


def check(doc, ctx):
    if doc.where:  # only the file as a whole
        return
    launched = doc.children[0] if doc.kind == "base64" and doc.children else doc
    limit = ctx.options["limit"]
    if launched.size <= limit:
        return
    hint = ""
    if launched.kind != "gzip" and launched.text:
        zipped = len(gzip_bytes(launched.text.encode("utf-8")))
        hint = f"; gzipped it would be {zipped} bytes" + (" and fit" if zipped <= limit else "")
    yield doc.problem(0, 0, ID, SEVERITY,
                      f"user-data is {launched.size} bytes, over EC2's {limit}-byte limit{hint}")
