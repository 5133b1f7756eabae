"""The boot-time helper, /usr/local/sbin/bootstrapper-imds: one static POSIX sh file.

`templates/partials/bootstrapper-imds.sh` is checked as it stands by the test suite
(shellcheck, dash -n, checkbashisms), and so is every copy this module can make of it:
what ships is the rendered configuration (`partials/bootstrapper-imds.conf.j2`) followed
by the file's body without its comments and without the `#@ NAME` ... `#@ end` sections
the profile does not use. Render's validation therefore shellchecks only the
configuration (`known_head`); the body is one of the checked `variants`.
"""

from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path

SOURCE = "partials/bootstrapper-imds.sh"
SECTIONS = ("lockdown", "persist", "process")
_CONFIG_END = "# --- end of configuration"
_ASSIGNMENT = re.compile(r"^([A-Z_][A-Z0-9_]*)=", re.M)


def sections(profile) -> frozenset[str]:  # noqa: ANN001 - a profile.Profile
    """The sections a profile uses (the others are left out of its copy)."""
    used = {"lockdown": profile.lockdown, "persist": profile.lockdown or profile.refresh,
            "process": bool(profile.credential_process_file)}
    return frozenset(name for name, on in used.items() if on)


def source_path() -> Path:
    from .render import builtin_dir

    return builtin_dir() / SOURCE


@functools.lru_cache(maxsize=1)
def source() -> str:
    return source_path().read_text(encoding="utf-8")


def config_names(text: str | None = None) -> tuple[str, ...]:
    """The names the static file's configuration block assigns, in order."""
    head = _split(text or source())[0]
    return tuple(_ASSIGNMENT.findall(head))


def body(keep: frozenset[str], text: str | None = None) -> str:
    """The shipped body: after the configuration, comments stripped, unused sections out."""
    from .quoting import strip_comments

    lines, skipping = [], None
    for line in _split(text or source())[1].split("\n"):
        marker = line.startswith("#@ ")
        if marker and line != "#@ end":
            name = line[3:].strip()
            if name not in SECTIONS:
                raise ValueError(f"{SOURCE}: unknown section {name!r}; known: {SECTIONS}")
            skipping = name not in keep
        elif marker:
            skipping = None
        elif not skipping:
            lines.append(line)
    return strip_comments("\n".join(lines))


def script(config: str, keep: frozenset[str]) -> str:
    """The installed helper: the rendered configuration, then the body for `keep`."""
    return config.rstrip("\n") + "\n" + _body(keep)


@functools.lru_cache(maxsize=None)
def _body(keep: frozenset[str]) -> str:
    return body(keep)


def variants(text: str | None = None) -> dict[frozenset[str], str]:
    """Every body a render can ship: one per subset of SECTIONS."""
    return {keep: body(keep, text) for keep in _subsets()}


def reads(variant: str) -> tuple[str, ...]:
    """The configuration names a body reads (those its configuration must assign)."""
    return tuple(name for name in config_names()
                 if re.search(r"\$\{?" + name + r"\b", variant))


# Off only in tests/test_helper.py, which lints every checked copy whole.
TRUST = True


# A configuration line as the conf template writes it: NAME='value' (the sh filter's quoting,
# `'\''` for a quote inside) on one line. Nothing else may sit in a trusted head: an alias,
# a function or a trailing `\` there would change what the checked body means.
_CONFIG_LINE = re.compile(r"([A-Z_][A-Z0-9_]*)=((?:'[^'\n]*'|\\')+)")


def known_head(script_text: str) -> str | None:
    """The configuration part of a helper this package would ship, else None.

    A script that ends with one of the checked bodies, whose head is `#!/bin/sh`, comment
    lines and one quoted assignment per configuration name, and assigns every name the body
    reads, is our helper with some configuration: only the head needs checking. Anything
    else in the head (code of any kind) and the script is checked whole.
    """
    if not TRUST or "bootstrapper-imds" not in script_text[:200]:
        return None
    for variant in set(map(_body, _subsets())):
        if script_text.endswith("\n" + variant):
            head = script_text[: len(script_text) - len(variant)]
            names = _config_lines(head)
            if names is not None and set(reads(variant)) <= names:
                return head
    return None


def config_line(line: str) -> bool:
    """A configuration line as a trusted head may hold it: NAME='value' for a known NAME."""
    match = _CONFIG_LINE.fullmatch(line)
    return bool(match) and match.group(1) in config_names()


def _config_lines(head: str) -> set[str] | None:
    """The names a head assigns, or None unless it is only a shebang, comments and one
    quoted assignment per known configuration name."""
    lines = head.split("\n")
    if lines[0] != "#!/bin/sh" or lines[-1] != "":
        return None
    known, seen = set(config_names()), set()
    for line in lines[1:-1]:
        if line.startswith("#") and not line.startswith("#!"):
            continue
        match = _CONFIG_LINE.fullmatch(line)
        if not match or match.group(1) not in known or match.group(1) in seen:
            return None
        seen.add(match.group(1))
    return seen


def _subsets():
    return (frozenset(c) for n in range(len(SECTIONS) + 1)
            for c in itertools.combinations(SECTIONS, n))


def _split(text: str) -> tuple[str, str]:
    head, marker, rest = text.partition("\n" + _CONFIG_END)
    if not marker:
        raise ValueError(f"{SOURCE} has no '{_CONFIG_END}' line")
    return head, rest.split("\n", 1)[1]
