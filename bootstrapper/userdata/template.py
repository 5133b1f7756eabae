"""`## template: jinja` user-data: check the template, then lint it with placeholders.

cloud-init renders these with instance data (`v1.region`, `ds.meta_data...`) that does
not exist at lint time. So the template's syntax is checked with Jinja itself, and every
`{{ expression }}` becomes PLACEHOLDER and every `{% tag %}`/`{# comment #}` nothing,
keeping each line where it was: findings still point at the right line, and a value that
is only known at boot never fails a rule.
"""

from __future__ import annotations

import re
from functools import lru_cache

PLACEHOLDER = "JINJA_PLACEHOLDER"
HEADER = re.compile(r"^\s*##\s*template:\s*jinja[ \t]*\r?\n?", re.I)
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


@lru_cache(maxsize=64)
def syntax_error(text: str) -> tuple[int, str] | None:
    """(line, message) of the first Jinja syntax error in `text`, or None."""
    import jinja2  # lazy: only templates need it

    try:
        jinja2.Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"]).parse(text)
    except jinja2.TemplateSyntaxError as err:
        return err.lineno or 1, err.message or "template syntax error"
    return None


def with_placeholders(text: str) -> str:
    """`text` with every Jinja construct replaced, line breaks kept."""
    def replace(match: re.Match) -> str:
        tag = match.group()
        breaks = "\n" * tag.count("\n")
        return (PLACEHOLDER + breaks) if tag.startswith("{{") else breaks

    return _TAG.sub(replace, text)
