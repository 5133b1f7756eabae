"""The rules, one module each, registered in RULES by id.

A rule module is data plus one generator, as in yamllint:

    ID        the rule id users write in config and suppressions
    SEVERITY  the severity of its findings unless configured otherwise
    OPTIONS   its options and their defaults (config is checked against these)
    CHOICES   (optional) the allowed values of options that take one of a few
    FORMERLY  (optional) (old id, old option): the check was part of rule `old id` and
              switched by its option `old option`; what users wrote for the old id still
              applies to it (suppressions, baselines, settings), see `former_ids`
    check(doc, ctx)        yields Problems for one Document, in the document's lines (or
                           (Document, Problem) pairs for findings in a document below it)
    check_all(docs, ctx)   (instead) yields (Document, Problem) for all documents at once,
                           for rules that batch work across files (shellcheck)

The module docstring is the rule's user documentation (Markdown, with FAIL/PASS examples):
docs/lint.md's rule sections, SARIF's rule help and `lint --list-rules` are generated from
it (bootstrapper/lint/ruledocs.py says its shape).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Iterator

# The registry: one module a rule, named after its id (`credential_file_mode` is
# credential-file-mode), in the order rules are listed and run.
_MODULES = ("yaml_syntax", "duplicate_key", "schema", "unknown_key", "shellcheck", "imdsv1",
            "hardcoded_secret", "secret_in_log", "credential_file_mode", "size_limit",
            "unknown_format", "jinja_syntax", "mime_merge", "suppression", "metadata_options")


class _Registry(Mapping):
    """rule id → rule module, each imported when first asked for: render's validation runs
    9 of the 15 rules, and a render that misses the cache pays for every module it imports
    (lint runs them all, and imports them all)."""

    def __init__(self, modules: tuple[str, ...]) -> None:
        self._modules = {name.replace("_", "-"): name for name in modules}

    def __getitem__(self, rule_id: str) -> Any:
        return importlib.import_module(f"{__name__}.{self._modules[rule_id]}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


RULES: Mapping[str, Any] = _Registry(_MODULES)


def __getattr__(name: str) -> Any:
    if name == "FORMER_IDS":  # every rule's module: only settings and findings need it
        return _former_ids()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_FORMER: dict[str, str] = {}


def _former_ids() -> dict[str, str]:
    """rule id → the id its findings had before it was split off (duplicate-key was
    yaml-syntax)."""
    if not _FORMER:
        _FORMER.update((rule_id, module.FORMERLY[0]) for rule_id, module in RULES.items()
                       if hasattr(module, "FORMERLY"))
    return _FORMER


def names(rule_id: str) -> tuple[str, ...]:
    """The ids that name a finding of `rule_id` in suppressions and baselines: its own and
    the one it had before a split, so what users wrote before the split still applies."""
    former = _former_ids().get(rule_id)
    return (rule_id, former) if former else (rule_id,)


@dataclass(frozen=True, eq=False, repr=False)  # compared and shown by no one
class Context:
    """What a rule may use besides the document: its options, and shared services."""

    options: Mapping[str, Any]
    checker: Callable[[], Any] = lambda: None  # the schema Checker, built on first use
    jobs: int = 1  # processes a batch rule may run side by side
    budget: float | None = None  # shellcheck seconds per input (lint); None: render's deadline
