"""The built-in templates as users see them: name, what each is, the blocks it offers.

Blocks are read from the templates' own syntax trees and descriptions from their leading
`{#- ... -#}` comment, so this listing cannot drift from the templates.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .render import builtin_dir, environment

_COMMENT = re.compile(r"\A\{#-?\s*(.*?)\s*-?#\}", re.S)


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    description: str
    blocks: tuple[str, ...]


def names() -> list[str]:
    base = builtin_dir()
    entries = sorted(p.name for p in base.glob("*.j2"))
    partials = sorted(str(p.relative_to(base)) for p in (base / "partials").glob("*")
                      if p.suffix in (".j2", ".sh"))
    return entries + partials


def info(name: str) -> TemplateInfo:
    import jinja2

    source = show(name)
    if not name.endswith(".j2"):  # the static helper: plain sh, its header comment says it
        lines = source.split("\n")[1:]
        header = [line[2:] for line in itertools.takewhile(lambda x: x.startswith("# "), lines)]
        return TemplateInfo(name, " ".join(" ".join(header).split()[:40]), ())
    tree = environment().parse(source)
    blocks = tuple(dict.fromkeys(node.name for node in tree.find_all(jinja2.nodes.Block)))
    match = _COMMENT.match(source)
    description = " ".join(match.group(1).split()) if match else ""
    return TemplateInfo(name, description, blocks)


def show(name: str) -> str:
    path = builtin_dir() / name
    if name not in names():
        import difflib

        close = difflib.get_close_matches(name, names(), n=1, cutoff=0.6) or \
            [n for n in names() if n.startswith(name) or n.endswith("/" + name + ".j2")][:1]
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise InputError(f"no built-in template named {name!r}; {hint}see `bootstrapper "
                         "templates list`")
    return Path(path).read_text(encoding="utf-8")
