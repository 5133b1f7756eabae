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

from . import encode, mime
from .errors import InputError

_MIME_WINDOW = 4096  # cloud-init looks for "mime-version:" only this far
_SNIFFED = ("text/plain", "text/x-not-multipart", "text/x-shellscript")
_WHEN = {
    "text/x-shellscript": "runs once per instance (final stage, scripts_user)",
    "text/x-shellscript-per-boot": "runs on every boot (final stage, before scripts_user)",
    "text/x-shellscript-per-instance": "runs once per instance (final stage, before "
                                       "scripts_user)",
    "text/x-shellscript-per-once": "runs once ever (final stage, before scripts_user)",
}
_GZIP_TYPES = ("application/gzip", "application/x-gzip", "application/gzip-compressed",
               "application/gzipped", "application/x-compress", "application/x-compressed",
               "application/x-gunzip", "application/x-gzip-compressed")


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

    def as_dict(self) -> dict:
        return {"index": self.index, "content_type": self.content_type,
                "filename": self.filename, "size_bytes": len(self.content),
                "sha256": hashlib.sha256(self.content).hexdigest(),
                "merge_type": self.merge_type, "transfer_encoding": self.transfer_encoding,
                "summary": self.summary}


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
    """Peel every layer of `data` and describe the parts cloud-init will handle."""
    report = Report(size_given=len(data))
    sent = _peel_base64(data, report)
    raw, gzipped = sent, None
    if sent.startswith(encode.GZIP_MAGIC):
        try:
            raw, gzipped = encode.gunzip(sent), sent
        except ValueError as err:
            report.errors.append(f"gzip: {err}; cloud-init cannot decompress it")
            return report
        report.layers.append("gzip")
        if raw.startswith(encode.GZIP_MAGIC):
            report.errors.append("gzipped twice: cloud-init decompresses once and would see "
                                 "gzip bytes")
    report.budget = encode.budget(raw, gzipped=gzipped)
    if not report.budget.fits:
        report.errors.append(f"size-limit: {report.budget.describe()}")
    if b"mime-version:" in raw[:_MIME_WINDOW].lower():
        report.layers.append("mime")
        _read_mime(raw, report)
    else:
        if raw[:200].lower().lstrip().startswith(b"content-type: multipart"):
            report.errors.append("looks like MIME but has no MIME-Version header in its "
                                 f"first {_MIME_WINDOW} bytes: cloud-init reads it as text")
        _add_part(report, raw, None, None, None, None)
    for part in report.parts:
        if part.content_type == "text/plain":
            report.errors.append(f"{part.filename}: unknown-format: cloud-init does not know "
                                 "this content and will ignore it")
    return report


def _peel_base64(data: bytes, report: Report) -> bytes:
    """EC2 decodes one layer of base64; a second layer reaches cloud-init as text."""
    decoded = encode.unbase64(data) if encode.encoded_as(data) == "base64" else None
    if decoded is None:
        return data
    report.layers.append("base64")
    inner = encode.unbase64(decoded) if encode.encoded_as(decoded) == "base64" else None
    if inner is not None:
        report.layers.append("base64")
        report.errors.append("double-encoded: base64 of base64. EC2 decodes one layer and "
                             "cloud-init would see base64 text; encode once (drop --base64 "
                             "where the tool already encodes: run-instances, Terraform "
                             "user_data, launch configurations)")
        return inner
    return decoded


def _read_mime(raw: bytes, report: Report) -> None:
    import email
    import email.policy

    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if not message.is_multipart():
        payload = message.get_payload(decode=True) or b""
        _add_part(report, payload, message.get_content_type(), message.get_filename(),
                  message.get("Merge-Type") or message.get("X-Merge-Type"),
                  message.get("Content-Transfer-Encoding"))
        return
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        payload = part.get_payload(decode=True) or b""
        _add_part(report, payload, part.get_content_type(), part.get_filename(),
                  part.get("Merge-Type") or part.get("X-Merge-Type"),
                  part.get("Content-Transfer-Encoding"))
    if message.defects:
        report.notes.append("MIME defects: " + ", ".join(type(d).__name__
                                                        for d in message.defects))


def _add_part(report: Report, content: bytes, declared: str | None, filename: str | None,
              merge_type: str | None, transfer: str | None) -> None:
    index = len(report.parts) + 1
    content_type = declared or "text/plain"
    if content_type in _GZIP_TYPES:
        try:
            content = encode.gunzip(content)
            content_type = "text/plain"
        except ValueError as err:
            report.errors.append(f"part {index}: gzip: {err}")
    if content_type in _SNIFFED:
        content_type = mime.sniff(content) or content_type
    name = filename or f"part-{index:03d}"
    keys = cloud_config_keys(content) if content_type == "text/cloud-config" else ()
    report.parts.append(Part(index, content_type, name, content, merge_type,
                             transfer.lower() if transfer else None,
                             summarize(content_type, content), keys))


def summarize(content_type: str, content: bytes) -> str:
    """One line on what a part does."""
    text = content.decode("utf-8", "replace")
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    first = text.split("\n", 1)[0].strip()
    if content_type == "text/cloud-config":
        return _summarize_cloud_config(text)
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


def _summarize_cloud_config(text: str) -> str:
    import yaml  # lazy

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        return f"invalid YAML{f' at line {mark.line + 1}' if mark else ''}"
    if not isinstance(document, dict):
        return "not a mapping: cloud-init will ignore it"
    keys = [f"{k}[{len(v)}]" if isinstance(v, (list, dict)) else str(k)
            for k, v in document.items()]
    return "keys: " + ", ".join(keys)


def cloud_config_keys(content: bytes) -> tuple[str, ...]:
    import yaml

    try:
        document = yaml.safe_load(content.decode("utf-8", "replace"))
    except yaml.YAMLError:
        return ()
    return tuple(str(k) for k in document) if isinstance(document, dict) else ()


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
