"""`bootstrapper inspect`: what cloud-init will see in a user-data, layer by layer.

base64 (EC2's API layer, undone by EC2) → gzip (undone by cloud-init) → MIME multipart
(split by cloud-init) → parts, each with its type, size, a one-line summary and its exact
bytes. Reading follows cloud-init 22.4: MIME only with a `MIME-Version` header in the
first 4096 bytes, types of `text/plain` and `text/x-shellscript` parts re-read from their
first line, gzip parts decompressed. Named `explain` so it never shadows the stdlib
`inspect` module.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from types import MappingProxyType

from . import encode
from .errors import InputError

_WHEN = {
    "text/x-shellscript": "runs once per instance (final stage, scripts_user)",
    "text/x-shellscript-per-boot": "runs on every boot (final stage, before scripts_user)",
    "text/x-shellscript-per-instance": "runs once per instance (final stage, before "
                                       "scripts_user)",
    "text/x-shellscript-per-once": "runs once ever (final stage, before scripts_user)",
}
# The verdict "cloud-init gets working user-data": errors of these rules (lint reports the
# same ones with the same words); their warnings and the reader's defects are notes.
VERDICT_RULES = ("yaml-syntax", "duplicate-key", "schema", "unknown-key", "unknown-format",
                 "size-limit", "jinja-syntax")
_KIND_TYPES = {"script": "text/x-shellscript"}


@dataclass(frozen=True)
class Part:
    index: int
    content_type: str
    filename: str  # the name cloud-init gives it (part-NNN when the message gives none)
    content: bytes
    merge_type: str | None = None
    transfer_encoding: str | None = None
    summary: str = ""
    keys: tuple[str, ...] = ()  # a cloud-config part's top-level keys
    # a cloud-config part's write_files: (path, the content as written on disk, encoding)
    files: tuple[tuple[str, str, str], ...] = ()

    def as_dict(self) -> dict:
        return {"index": self.index, "content_type": self.content_type,
                "filename": self.filename, "size_bytes": len(self.content),
                "sha256": hashlib.sha256(self.content).hexdigest(),
                "merge_type": self.merge_type, "transfer_encoding": self.transfer_encoding,
                "summary": self.summary,
                "files": [{"path": path, "size_bytes": len(text.encode()),
                           "encoding": encoding or None} for path, text, encoding in self.files]}


@dataclass
class Report:
    size_given: int
    layers: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    budget: encode.Budget | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def script_order(self) -> list[str]:
        """The order scripts_user runs shell parts and the `runcmd` script: by file name."""
        names = [p.filename for p in self.parts if p.content_type == "text/x-shellscript"]
        if any("runcmd" in p.keys for p in self.parts):
            names.append("runcmd")
        return sorted(names)

    def as_dict(self) -> dict:
        return {"size_given": self.size_given, "layers": self.layers,
                "sizes": self.budget.as_dict() if self.budget else None,
                "parts": [p.as_dict() for p in self.parts],
                "script_order": self.script_order(),
                "errors": self.errors, "notes": self.notes}


def explain(data: bytes) -> Report:
    """Describe, from the reader's tree, the layers and parts cloud-init will handle."""
    from .lint.engine import check_tree  # lazy
    from .userdata import read

    report = Report(size_given=len(data))
    root = read(data, "user-data")
    node, sent, gzipped = root, data, None
    while node.kind in ("base64", "gzip") and node.children:
        report.layers.append(node.kind)
        if node.kind == "base64":
            sent = node.children[0].content
        elif gzipped is None:
            gzipped = sent
        node = node.children[0]
    raw = node.content if gzipped is not None else sent
    report.budget = encode.budget(raw, gzipped=gzipped)
    if node.kind == "mime":
        report.layers.append("mime")
        leaves = [d for d in node.walk() if d is not node and d.headers and d.kind != "mime"]
    else:
        leaves = [node]
    for leaf in leaves:
        _add_part(report, leaf)
    for problem in check_tree(root, _verdict_settings()):
        where = f"{problem.path}:{problem.line}: " if problem.line else ""
        line = f"{where}{problem.rule}: {problem.message}"
        (report.errors if problem.severity == "error" else report.notes).append(line)
    return report


def _verdict_settings():
    from .lint.config import RuleConfig, Settings
    from .lint.rules import RULES

    rules = {rule_id: RuleConfig(True, None, MappingProxyType(dict(RULES[rule_id].OPTIONS)))
             for rule_id in VERDICT_RULES}
    return Settings(severity="warning", schema="builtin", rules=MappingProxyType(rules))


def _add_part(report: Report, doc) -> None:
    index = len(report.parts) + 1
    content = doc.content
    if doc.kind == "gzip" and doc.children:  # an application/gzip part: cloud-init inflates it
        doc = doc.children[0]
        content = doc.content
    content_type = doc.content_type or _KIND_TYPES.get(doc.kind, "text/plain")
    name = doc.filename or f"part-{index:03d}"
    keys, files = (), ()
    if doc.kind == "cloud-config" and doc.config and isinstance(doc.config.data, dict):
        keys = tuple(str(k) for k in doc.config.data)
        entries = [e for e in doc.config.data.get("write_files") or () if isinstance(e, dict)]
        encodings = {str(e.get("path", "")): str(e.get("encoding") or "") for e in entries}
        files = tuple((s.path, s.whole or s.text, encodings.get(s.path, ""))
                      for s in doc.snippets
                      if s.path and s.where.startswith("write_files["))
    merge = doc.headers.get("merge-type") or doc.headers.get("x-merge-type")
    transfer = doc.headers.get("content-transfer-encoding")
    report.parts.append(Part(index, content_type, name, content, merge,
                             transfer.strip().lower() if transfer else None,
                             summarize(content_type, content, doc), keys, files))


def summarize(content_type: str, content: bytes, doc=None) -> str:
    """One line on what a part does."""
    text = content.decode("utf-8", "replace")
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    first = text.split("\n", 1)[0].strip()
    if content_type == "text/cloud-config":
        return _summarize_cloud_config(doc)
    if content_type.startswith("text/x-shellscript"):
        return f"{first[:40]} script, {lines} lines; {_WHEN[content_type]}"
    if content_type == "text/cloud-boothook":
        return f"boothook, {lines} lines; runs early on every boot"
    if content_type in ("text/x-include-url", "text/x-include-once-url"):
        urls = [u for u in (ln.strip() for ln in text.split("\n")[1:]) if u and
                not u.startswith("#")]
        return f"includes {len(urls)} URL(s) fetched at boot" + (f": {urls[0]}" if urls
                                                                 else "")
    if content_type == "text/jinja2":
        return "Jinja template rendered with instance data, then handled by its first line"
    if content_type == "text/part-handler":
        return "Python part handler"
    return f"{len(content)} bytes cloud-init has no handler for"


def _summarize_cloud_config(doc) -> str:
    parsed = doc.config if doc is not None else None
    if parsed is None:
        return "cloud-config"
    if parsed.error:
        return f"invalid YAML at line {parsed.error[0]}"
    if parsed.data is None:
        return "empty: cloud-init gets no configuration"
    if not isinstance(parsed.data, dict):
        return "not a mapping: cloud-init will ignore it"
    keys = [f"{k}[{len(v)}]" if isinstance(v, (list, dict)) else str(k)
            for k, v in parsed.data.items()]
    return "keys: " + ", ".join(keys)


# --- text output -------------------------------------------------------------------------


def format_text(report: Report) -> str:
    layers = " → ".join(report.layers + ["parts"]) if report.layers else "plain"
    out = [f"user-data: {report.size_given} bytes given; layers: {layers}"]
    if report.budget:
        out.append(f"sizes: {report.budget.describe()}")
    for part in report.parts:
        extra = f" merge={part.merge_type}" if part.merge_type else ""
        out.append(f"{part.index:>3}  {part.content_type:<26} {len(part.content):>6} B  "
                   f"{part.filename}{extra}")
        out.append(f"     {part.summary}")
        for path, text, encoding in part.files:
            how = f", {encoding}: {len(text.encode())} bytes decoded" if encoding else ""
            out.append(f"     writes {path} ({text.count(chr(10))} lines{how})")
    order = report.script_order()
    if order:
        out.append("scripts run in this order (by file name): " + ", ".join(order))
    out += [f"note: {n}" for n in report.notes]
    out += [f"error: {e}" for e in report.errors]
    return "\n".join(out) + "\n"


# --- input and extraction ----------------------------------------------------------------


def read_input(path: str, stdin) -> bytes:  # noqa: ANN001 - a binary stream
    """The bytes of `path`, or of `stdin` for "-"; InputError (exit 2) when unreadable."""
    try:
        if path == "-":
            return stdin.read()
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as err:
        raise InputError(f"{path}: cannot read user-data: {err.strerror or err}") from err


def extract(report: Report, directory: str) -> list[str]:
    """Write each part's exact bytes to DIRECTORY/NN-FILENAME; return the paths."""
    import os
    import re

    written = []
    try:
        os.makedirs(directory, exist_ok=True)
        for part in report.parts:
            safe = re.sub(r"[^A-Za-z0-9._-]", "_", part.filename).lstrip(".") or "part"
            target = os.path.join(directory, f"{part.index:02d}-{safe}")
            with open(target, "wb") as handle:
                handle.write(part.content)
            written.append(target)

    except OSError as err:
        raise InputError(f"{directory}: cannot write parts: {err.strerror or err}") from err
    return written
