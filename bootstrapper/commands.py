"""What the render-like commands do, free of typer: shared by `cli` (the canonical parser)
and `fastpath` (the cold-start shortcut). Writes only to the streams it is given."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, Any

from .errors import BootstrapperError, ProfileError, RefusedError
from .profile import FIELDS, Profile

FIELD_NAMES = {f.name for f in FIELDS}
LOCAL_PATHS = ("template", "template_dir", "output")


def resolve_profile(profile_path: str | None, options: dict[str, Any]) -> Profile:
    """defaults < PROFILE file < command-line options (None = not given)."""
    from . import profile as profile_mod

    data: dict[str, Any] = profile_mod.load_file(profile_path) if profile_path else {}
    if profile_path:
        data = relative_to(data, Path(profile_path).parent)
    try:  # how values combine is checked once the command line is merged in
        base = profile_mod.from_mapping(data, source=profile_path or "profile", finish=False)
    except ProfileError as err:
        if not profile_path:
            raise
        line = profile_mod.key_line(profile_path, err.field.split(".")[0])
        raise err.at(f"{profile_path}:{line}" if line else profile_path) from None
    given = {k: v for k, v in options.items() if v is not None and k in FIELD_NAMES}
    return profile_mod.from_mapping(given, base=base, source="options")


def relative_to(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Local file names in a profile are relative to the profile file, as users expect."""
    out = dict(data)
    for key in LOCAL_PATHS:
        if isinstance(out.get(key), str) and not os.path.isabs(out[key]):
            out[key] = str(base / out[key])
    for key in ("parts", "part"):
        items = out.get(key)
        items = [items] if isinstance(items, str) else items
        if isinstance(items, list):
            out[key] = [str(base / i) if isinstance(i, str) and not os.path.isabs(i) else i
                        for i in items]
    return out


def write_output(data: bytes, output: str | None, stdout: IO[bytes] | None = None) -> None:
    """stdout, or FILE replaced atomically (never half-written)."""
    if not output or output == "-":
        stream = stdout or sys.stdout.buffer
        stream.write(data)
        stream.flush()
        return
    import tempfile  # lazy: only for --output

    target = Path(output)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except OSError as err:
        raise BootstrapperError(f"{output}: cannot write output: {err.strerror or err}") from err


def report(err: BootstrapperError, stderr: IO[str] | None = None) -> int:
    """One line on stderr (findings after it); return the exit code."""
    stream = stderr or sys.stderr
    stream.write(f"bootstrapper: error: {err}\n")
    if isinstance(err, RefusedError):
        for problem in err.findings[1:]:
            stream.write(f"  {problem}\n")
    return err.exit_code


def render(profile_path: str | None, options: dict[str, Any]) -> int:
    from .build import build

    try:
        prof = resolve_profile(profile_path, options)
        write_output(build(prof).user_data, prof.output)
    except BootstrapperError as err:
        return report(err)
    if prof.lockdown and prof.format == "shell":
        sys.stderr.write(SHELL_LOCKDOWN_NOTE)
    return 0


# A shell user-data runs in cloud-init's final stage, after every service of the image has
# started: the lockdown comes late at first boot. cloud-config and mime lock down in bootcmd.
SHELL_LOCKDOWN_NOTE = ("bootstrapper: note: a shell user-data locks IMDS down only in "
                       "cloud-init's final stage, after the image's services start; use "
                       "--format cloud-config or mime to lock it down from the init stage\n")
