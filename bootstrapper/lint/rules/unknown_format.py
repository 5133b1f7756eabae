"""unknown-format: input that is no kind of user-data, MIME parts cloud-init skips
(warning), `#include` lines that are not URLs.

cloud-init recognises user-data by its first line (`#cloud-config`, `#!`, `#include`,
`#cloud-boothook`, `## template: jinja`, ...), by MIME headers, or gzip; anything else it
ignores without a word, so the instance boots without it. The message says what the
content looks like when that is clear (a cloud-config without its `#cloud-config` line,
shell commands without `#!`, a MIME message without `MIME-Version`, an upstart job): add
that first line. A `text/x-shellscript` part without `#!` is an error (cloud-init executes
it and it fails); a MIME part of a type cloud-init has no handler for is a warning. Every
line of an `#include` must be a URL.

FAIL:
    packages: [nginx]       # no '#cloud-config' line: ignored
PASS:
    #cloud-config
    packages: [nginx]
"""

from __future__ import annotations

import re

from ...userdata.types import looks_like_shell

ID = "unknown-format"
SEVERITY = "error"
OPTIONS: dict = {}
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.I)


def check(doc, ctx):
    if doc.kind == "include":
        yield from _include_lines(doc)
    if doc.kind != "unknown":
        return
    in_mime = bool(doc.headers) and "content-type" in doc.headers
    severity = "warning" if in_mime and not doc.note else SEVERITY
    yield doc.problem(0, 0, ID, severity, _explain(doc))


def _explain(doc) -> str:
    if doc.note:
        return doc.note
    content_type = doc.headers.get("content-type", "").split(";")[0].strip()
    if content_type and not content_type.startswith("text/plain"):
        return f"cloud-init has no handler for MIME type {content_type!r} and skips this part"
    head = doc.text.lstrip().lower()
    if head.startswith("#upstart-job"):
        return "upstart jobs are not supported by cloud-init 22.4 and later"
    if "content-type: multipart" in head[:2048]:
        return "a MIME message without a MIME-Version header: cloud-init will not read its parts"
    if _looks_like_cloud_config(doc.text):
        return "looks like cloud-config but does not start with '#cloud-config': cloud-init ignores it"
    if looks_like_shell(doc.text):
        return "looks like shell commands but has no '#!' line: cloud-init will not run it"
    return ("not EC2 user-data: expected '#cloud-config', '#!', '#include', '#cloud-boothook', "
            "'## template: jinja', MIME multipart, gzip or base64")


def _looks_like_cloud_config(text: str) -> bool:
    from ... import schema
    from ..cloudconfig import parse

    data = parse(text).data
    return isinstance(data, dict) and bool(set(map(str, data)) & schema.known_keys())


def _include_lines(doc):
    for number, line in enumerate(doc.text.split("\n"), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not _URL.match(stripped):
            yield doc.problem(number, 1, ID, SEVERITY,
                              f"#include line is not a URL: cloud-init cannot fetch {stripped[:60]!r}")
