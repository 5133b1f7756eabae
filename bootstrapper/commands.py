"""What the render-like commands do, free of typer: shared by `cli` (the canonical parser)
and `fastpath` (the cold-start shortcut). Writes only to the streams it is given."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import IO, Any, Callable

from .errors import BootstrapperError, ProfileError, RefusedError
from .profile import FIELDS, Profile

FIELD_NAMES = {f.name for f in FIELDS}
LOCAL_PATHS = ("template", "template_dir", "output")


def resolve_profile(profile_path: str | None, options: dict[str, Any],
                    command: str = "render") -> Profile:
    """defaults < PROFILE file (`-`: stdin) < command-line options (None = not given),
    then the rule book's checks for `command` (render or launch-template).

    One rule for repeatable options: a list on the command line (--allow-user, --part)
    replaces the profile's list; --var sets its keys over the profile's vars."""
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
    if given.get("vars") and base.vars:
        given["vars"] = [f"{k}={v}" for k, v in base.vars.items()] + list(given["vars"])
    try:
        prof = profile_mod.from_mapping(given, base=base, source="options", finish=False)
    except ProfileError as err:  # a bad value given as a flag: name the flag, as rules do
        name = err.field.split(".")[0]
        if name != err.field or name not in given:
            raise
        raise ProfileError(profile_mod.FIELD_BY_KEY[name].option, err.message) from None
    keys = {profile_mod.FIELD_BY_KEY[k].name: k for k in data
            if isinstance(k, str) and k in profile_mod.FIELD_BY_KEY}
    profile_mod.check(prof, profile_mod.Origin(command, frozenset(given), keys, profile_path))
    if "format" in given or "format" in data:
        from .render import check_format_given

        check_format_given(prof)
    return prof


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
    _check_output_target(output, target)
    if target.exists() and not target.is_file():  # /dev/null, a FIFO: nothing to replace
        try:
            with open(target, "wb") as handle:
                handle.write(data)
        except OSError as err:
            raise BootstrapperError(f"{output}: cannot write output: "
                                    f"{err.strerror or err}") from err
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as err:
        raise BootstrapperError(
            f"{output}: cannot write output: cannot create a file in {target.parent}/ "
            f"({err.strerror or err}); the output is written beside its target, then "
            "renamed over it, so choose a directory you can create files in") from err
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise BootstrapperError(f"{output}: cannot write output: {err.strerror or err}") from err


def _check_output_target(output: str, target: Path) -> None:
    """Reasons a user can act on, found before trying."""
    if target.is_dir():
        raise BootstrapperError(f"{output}: cannot write output: it is a directory; name a "
                                "file")
    if not target.parent.is_dir():
        raise BootstrapperError(f"{output}: cannot write output: directory {target.parent}/ "
                                "does not exist; create it first")


def refuse_binary_to_terminal(prof: Profile, stdout: IO[bytes] | None = None) -> None:
    """gzip output is binary: like gzip itself, refuse to print it on a terminal."""
    stream = stdout or sys.stdout
    if prof.gzip and not prof.base64 and prof.output in (None, "-") and stream.isatty():
        raise BootstrapperError("--gzip: refusing to write binary user-data to a terminal; "
                                "add --output FILE or --base64, or pipe it")


def report(err: BootstrapperError, stderr: IO[str] | None = None) -> int:
    """One line on stderr (findings after it); return the exit code."""
    stream = stderr or sys.stderr
    stream.write(f"bootstrapper: error: {err}\n")
    if isinstance(err, RefusedError):
        for problem in err.findings[1:]:
            stream.write(f"  {problem}\n")
    return err.exit_code


def render(profile_path: str | None, options: dict[str, Any],
           record: Callable[[Profile, bytes, str], None] | None = None) -> int:
    """The render command; `record(profile, stdout, stderr)` is told what a successful
    render printed when it printed to stdout (replay.py stores it)."""
    from .build import build

    try:
        prof = resolve_profile(profile_path, options)
        refuse_binary_to_terminal(prof)
        built = build(prof)
        write_output(built.user_data, prof.output)
    except BootstrapperError as err:
        return report(err)
    notes = ""
    note = budget_note(built.user_data, prof)
    if note:
        notes += f"bootstrapper: note: {note}\n"
    if prof.lockdown and prof.format == "shell":
        notes += SHELL_LOCKDOWN_NOTE
    if notes:
        sys.stderr.write(notes)
    if record is not None and prof.output in (None, "-"):
        record(prof, built.user_data, notes)
    return 0


# A shell user-data runs in cloud-init's final stage, after every service of the image has
# started: the lockdown comes late at first boot. cloud-config and mime lock down in bootcmd.
SHELL_LOCKDOWN_NOTE = ("bootstrapper: note: a shell user-data locks IMDS down only in "
                       "cloud-init's final stage, after the image's services start; use "
                       "--format cloud-config or mime to lock it down from the init stage\n")


BUDGET_WARN = 0.25  # say how much is left once less than this share of EC2's limit is


def budget_note(user_data: bytes, prof: Profile) -> str | None:
    """A line for stderr when the user-data uses most of EC2's limit, before it bites."""
    from .encode import EC2_LIMIT

    sent = len(user_data)
    if prof.base64:
        import base64

        sent = len(base64.b64decode(user_data))
    left = EC2_LIMIT - sent
    if left >= EC2_LIMIT * BUDGET_WARN:
        return None
    hint = "" if prof.gzip else "; --gzip makes it several times smaller"
    counted = "gzipped " if prof.gzip else ""
    return (f"user-data is {sent} {counted}bytes of EC2's {EC2_LIMIT}-byte limit: {left} "
            f"left ({100 * left // EC2_LIMIT} %){hint}")
