"""The one pipeline every command shares: Profile → text → findings (none) → encoded bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import encode, render, validate
from .errors import RefusedError
from .profile import Profile


@dataclass(frozen=True)
class Built:
    user_data: bytes  # after the profile's encodings (gzip, base64)
    raw: bytes  # before them: what cloud-init reads after decompressing
    kind: str  # cloud-config, shell or mime


def build(profile: Profile) -> Built:
    """Render, validate and encode; raise RefusedError (exit 1) on any finding.
    `profile` has passed `profile.check` (parts without --format mime are refused there)."""
    rendered = render.render(profile)
    problems = validate.check(rendered.text, rendered.kind, origin="rendered output")
    if problems and profile.template:
        problems = [_point_at_template(p, rendered.text, profile.template) for p in problems]
    if problems:
        raise RefusedError(
            f"refusing to print user-data that fails validation ({len(problems)} "
            f"finding{'s' if len(problems) != 1 else ''}); first: {problems[0]}", problems)
    raw = rendered.text.encode("utf-8")
    kind = rendered.kind
    if profile.format == "mime":
        from . import mime  # lazy: only for --format mime

        raw = mime.assemble(raw, rendered.kind, profile.parts, profile.mime_boundary)
        kind = "mime"
    return Built(encode.finish(raw, gzip=profile.gzip, base64=profile.base64), raw, kind)


def _point_at_template(problem, text: str, template: str):
    """Add `[from TEMPLATE:LINE]` when one line of the user's template produced the
    offending rendered line (its literal text matches, `{{ ... }}` standing for anything)."""
    lines = text.split("\n")
    if not 0 < problem.line <= len(lines):
        return problem
    target = lines[problem.line - 1].strip()
    try:
        source = Path(template).read_text(encoding="utf-8").split("\n")
    except OSError:
        return problem
    for number, line in enumerate(source, 1):
        pieces = re.split(r"\{\{.*?\}\}", line.strip())
        if line.strip() and re.fullmatch(".*".join(map(re.escape, pieces)), target):
            return replace(problem, message=f"{problem.message} [from {template}:{number}]")
    return problem
