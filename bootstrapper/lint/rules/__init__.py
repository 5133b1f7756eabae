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

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from . import (credential_file_mode, duplicate_key, hardcoded_secret, imdsv1, jinja_syntax,
               metadata_options, mime_merge, schema, secret_in_log, shellcheck, size_limit,
               suppression, unknown_format, unknown_key, yaml_syntax)

RULES = {module.ID: module for module in (
    yaml_syntax, duplicate_key, schema, unknown_key, shellcheck, imdsv1, hardcoded_secret,
    secret_in_log, credential_file_mode, size_limit, unknown_format, jinja_syntax, mime_merge,
    suppression, metadata_options)}
# rule id → the id its findings had before it was split off (duplicate-key was yaml-syntax)
FORMER_IDS = {rule_id: module.FORMERLY[0] for rule_id, module in RULES.items()
              if hasattr(module, "FORMERLY")}


def names(rule_id: str) -> tuple[str, ...]:
    """The ids that name a finding of `rule_id` in suppressions and baselines: its own and
    the one it had before a split, so what users wrote before the split still applies."""
    former = FORMER_IDS.get(rule_id)
    return (rule_id, former) if former else (rule_id,)


@dataclass(frozen=True)
class Context:
    """What a rule may use besides the document: its options, and shared services."""

    options: Mapping[str, Any]
    checker: Callable[[], Any] = lambda: None  # the schema Checker, built on first use
    jobs: int = 1  # processes a batch rule may run side by side
    budget: float | None = None  # shellcheck seconds per input (lint); None: render's deadline
