"""The one pipeline every command shares: Profile → text → findings (none) → encoded bytes."""

from __future__ import annotations

from dataclasses import dataclass

from . import encode, render, validate
from .errors import RefusedError
from .profile import Profile


@dataclass(frozen=True)
class Built:
    user_data: bytes  # after the profile's encodings (gzip, base64)
    raw: bytes  # before them: what cloud-init reads after decompressing
    kind: str  # cloud-config, shell or mime


def build(profile: Profile) -> Built:
    """Render, validate and encode; raise RefusedError (exit 1) on any finding."""
    rendered = render.render(profile)
    origin = profile.template or rendered.template
    problems = validate.check(rendered.text, rendered.kind, origin=origin)
    if problems:
        raise RefusedError(
            f"refusing to print user-data that fails validation ({len(problems)} "
            f"finding{'s' if len(problems) != 1 else ''}); first: {problems[0]}", problems)
    raw = rendered.text.encode("utf-8")
    kind = rendered.kind
    if profile.format == "mime":
        from . import mime  # lazy: only for --format mime

        raw = mime.assemble(raw, rendered.kind, profile.parts)
        kind = "mime"
    return Built(encode.finish(raw, gzip=profile.gzip, base64=profile.base64), raw, kind)
