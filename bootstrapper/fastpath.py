"""A strict fast path for `bootstrapper render`: cold start is part of the product.

Importing typer and building its commands costs more than rendering itself, so the plain,
successful case (`render [PROFILE] --option value --flag --no-flag ...`, every option from
`profile.FIELDS`) is parsed here. Anything else — --help, -h, `--`, an unknown or repeated
single option, a value that looks like an option, a bad number — returns None and goes to
the canonical typer CLI, so usage errors and help come from one place. tests/test_fastpath.py
checks that both paths give identical results.
"""

from __future__ import annotations

from typing import Any

from .profile import FIELDS


def parse_render(args: list[str]) -> tuple[str | None, dict[str, Any]] | None:
    """(PROFILE, options) for a plain `render` command line, else None."""
    if not args or args[0] != "render":
        return None
    by_flag = {f.option: f for f in FIELDS if f.cli}
    negations = {"--no-" + f.option[2:]: f for f in FIELDS if f.cli and f.spec.flag}
    profile: str | None = None
    options: dict[str, Any] = {}
    rest = list(args[1:])
    while rest:
        arg = rest.pop(0)
        if arg in negations and negations[arg].name not in options:
            options[negations[arg].name] = False
        elif arg.startswith("-") and arg != "-":
            name, eq, value = arg.partition("=")
            field = by_flag.get(name)
            if field is None or field.name in options and not field.spec.repeats:
                return None
            if field.spec.flag:
                if eq:
                    return None
                options[field.name] = True
                continue
            if not eq:
                if not rest or rest[0].startswith("-"):
                    return None
                value = rest.pop(0)
            try:
                value = field.spec.from_arg(value)
            except ValueError:
                return None  # typer says what is wrong with it
            if field.spec.repeats:
                options.setdefault(field.name, []).append(value)
            else:
                options[field.name] = value
        elif profile is None:
            profile = arg
        else:
            return None
    return profile, options
