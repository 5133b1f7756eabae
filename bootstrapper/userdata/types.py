"""What cloud-init calls each kind of user-data: its one table of types and starts.

As cloud-init's `INCLUSION_TYPES_MAP` (first line → content type) and `DECOMP_TYPES`
(content types it gunzips), plus the one shebang rule that says which interpreter runs a
script. Every reader (lint, inspect, render's validation, the MIME writer) uses these.
"""

from __future__ import annotations

import re

# First line (case-insensitive, after leading blanks) → content type; longest prefix first.
STARTS = {
    "#cloud-config-archive": "text/cloud-config-archive",
    "#cloud-config-jsonp": "text/cloud-config-jsonp",
    "## template: jinja": "text/jinja2",
    "#cloud-boothook": "text/cloud-boothook",
    "#cloud-config": "text/cloud-config",
    "#include-once": "text/x-include-once-url",
    "#part-handler": "text/part-handler",
    "#include": "text/x-include-url",
    "#!": "text/x-shellscript",
}
# Types only a MIME header can give: scripts run per boot / instance / once.
HEADER_ONLY = ("text/x-shellscript-per-boot", "text/x-shellscript-per-instance",
               "text/x-shellscript-per-once")
# Content type → the kind of Document it becomes.
KINDS = {
    "text/cloud-config": "cloud-config", "text/x-shellscript": "shell",
    "text/x-shellscript-per-boot": "shell", "text/x-shellscript-per-instance": "shell",
    "text/x-shellscript-per-once": "shell", "text/cloud-boothook": "boothook",
    "text/x-include-url": "include", "text/x-include-once-url": "include",
    "text/part-handler": "part-handler", "text/cloud-config-archive": "archive",
    "text/cloud-config-jsonp": "jsonp", "text/jinja2": "jinja",
}
CONTENT_TYPES = {kind: ctype for ctype, kind in reversed(list(KINDS.items()))}
# Content types cloud-init decompresses (gzip), then types again from the first line.
DECOMP_TYPES = ("application/gzip", "application/gzip-compressed", "application/gzipped",
                "application/x-compress", "application/x-compressed", "application/x-gunzip",
                "application/x-gzip", "application/x-gzip-compressed")
# Declared types cloud-init re-reads from the first line.
SNIFFED = ("text/plain", "text/x-not-multipart", "text/x-shellscript")
MIME_WINDOW = 4096  # cloud-init looks for "mime-version:" only this far
GZIP_MAGIC = b"\x1f\x8b"

_WINDOWS = re.compile(r"^\s*<(powershell|script)>", re.I)  # EC2Launch: PowerShell or cmd
_SHELL = re.compile(r"#!\s*\S*/(?:env\s+)?(?:busybox\s+)?(sh|dash|ash|bash|ksh|mksh)\b")
SHELLS = ("sh", "bash", "dash", "ksh", "busybox")  # the dialects shellcheck knows
# A line that starts with a command only shell runs: text that has one, in its first 2048
# characters, is a script that lost (or never had) its '#!' line.
_SHELLISH = re.compile(r"^\s*(sudo|apt-get|apt|yum|dnf|echo|curl|wget|systemctl|set|export|"
                       r"mkdir|cd|if|for|useradd|chmod|cp|mv)\b", re.M)


def content_type_of(text: str) -> str | None:
    """The content type cloud-init gives a text from its first line, or None."""
    head = text.lstrip()[:32].lower()
    for prefix, ctype in STARTS.items():
        if head.startswith(prefix):
            return ctype
    return None


def is_mime(text: str) -> bool:
    """cloud-init parses MIME when `mime-version:` is in the first MIME_WINDOW bytes; a
    header line must also start the text (else it is a script mentioning MIME)."""
    first = text.lstrip().split("\n", 1)[0]
    return "mime-version:" in text[:MIME_WINDOW].lower() and \
        bool(re.match(r"[A-Za-z-]+:", first))


def detect(text: str) -> str:
    """The kind a text layer is, from its first characters."""
    if not text.strip():
        return "empty"
    if is_mime(text):
        return "mime"
    ctype = content_type_of(text)
    if ctype:
        return KINDS[ctype]
    windows = _WINDOWS.match(text)
    if windows:
        return "powershell" if windows.group(1).lower() == "powershell" else "batch"
    return "unknown"


def looks_like_shell(text: str) -> bool:
    """Whether text with no '#!' line is clearly shell commands."""
    return bool(_SHELLISH.search(text[:2048]))


def language_of(script: str) -> str:
    """The interpreter a shebang names: a shellcheck dialect, python, powershell or text.
    The one shebang rule: any path, `env`, `busybox`, and the sh family."""
    first = script.split("\n", 1)[0]
    shell = _SHELL.match(first)
    if shell:
        if "busybox" in first or shell.group(1) == "ash":
            return "busybox"
        return {"mksh": "ksh"}.get(shell.group(1), shell.group(1))
    if "python" in first:
        return "python"
    if "pwsh" in first or "powershell" in first:
        return "powershell"
    return "text"
