"""Rendered user-data → findings: the lint engine with render's fixed rule set.

A render with any finding is refused, never printed. What is read is what lint and
`inspect` read (bootstrapper.userdata); the rules are lint's, so a user template whose
block prints a secret or calls IMDS without a token is refused exactly as `lint` would
report it. Output that already passed (same bytes, same schema) is remembered in the
cache: the common render does none of this.
"""

from __future__ import annotations

from types import MappingProxyType

from . import cache, schema
from .problem import Problem

# SC2016 (a `$` in single quotes: meant to expand?) and SC1003 (a `\` in single quotes:
# meant to escape a quote?) question the intent of single-quoted words. In rendered output
# those words come from the `sh` filter, whose whole point is a literal value.
# SC1091 ("Not following: FILE"): a script sources a file that exists on the instance, not
# where we render (the README's `. {{ profile.env_file | sh }}`): no reason to refuse.
RENDER_EXCLUDE = ("SC1003", "SC2016", "SC1091")
# No size-limit here: EC2's limit is on the bytes it receives, after MIME assembly and
# --gzip, which encode.finish checks (with the same budget message); the rendered text alone
# can be over 16 KB and fit once gzipped.
RENDER_RULES = ("yaml-syntax", "duplicate-key", "schema", "unknown-key", "shellcheck", "imdsv1",
                "secret-in-log", "hardcoded-secret", "credential-file-mode")
_EXPECTED = {"cloud-config": "#cloud-config", "shell": "#!"}


def check(text: str, kind: str, origin: str = "<rendered>") -> list[Problem]:
    """Validate rendered `text` of `kind` ("cloud-config" or "shell")."""
    digest = cache.key(text, kind, schema.SCHEMA_PATH.read_text(encoding="utf-8"))
    if cache.seen(digest):
        return []
    problems = _check(text, kind, origin)
    if not problems:
        cache.remember(digest)
    return problems


def _check(text: str, kind: str, origin: str) -> list[Problem]:
    from .userdata import read

    root = read(text.encode("utf-8"), origin)
    if root.kind != kind or not text.startswith(_EXPECTED[kind]):
        return [Problem(origin, 1, 0, "format", "error",
                        f"a {kind} user-data must start with {_EXPECTED[kind]!r} "
                        f"(this reads as {root.format})")]
    _prefetch_shellcheck(root)
    from .lint.engine import check_tree  # lazy: only on a cache miss, after the prefetch

    return check_tree(root, render_settings())


def _prefetch_shellcheck(root) -> None:
    """Start shellcheck on the scripts lint's shellcheck rule will hand it, before lint's
    rules are imported (~0.1 s): that rule then finds them checked, not started."""
    from . import shellcheck
    from .userdata.types import SHELLS

    unique = set()
    for doc in root.walk():
        for s in doc.snippets:
            if s.language in SHELLS and s.role in ("script", "command", "heredoc") \
                    and s.text.strip():  # as the rule does: our helper's configuration alone
                unique.add((s.text, s.language, ("SC2034",) if s.ours else ()))
    shellcheck.prefetch([shellcheck.Script(text, "", 0, shell, RENDER_EXCLUDE + extra)
                         for text, shell, extra in sorted(unique)])


def render_settings():
    """The lint settings of render's validation: RENDER_RULES on, every finding reported,
    the built-in schema, shellcheck without RENDER_EXCLUDE."""
    from .lint.config import RuleConfig, Settings
    from .lint.rules import RULES

    rules = {}
    for rule_id in RENDER_RULES:
        options = dict(RULES[rule_id].OPTIONS)
        if rule_id == "shellcheck":
            options["exclude"] = RENDER_EXCLUDE
        rules[rule_id] = RuleConfig(True, None, MappingProxyType(options))
    return Settings(severity="info", schema="builtin", rules=MappingProxyType(rules))
