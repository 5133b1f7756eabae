"""The rules, one module each, registered in RULES by id.

A rule module is data plus one generator, as in yamllint:

    ID        the rule id users write in config and suppressions
    SEVERITY  the severity of its findings unless configured otherwise
    OPTIONS   its options and their defaults (config is checked against these)
    CHOICES   (optional) the allowed values of options that take one of a few
    check(doc, ctx)        yields Problems for one Document, in the document's lines (or
                           (Document, Problem) pairs for findings in a document below it)
    check_all(docs, ctx)   (instead) yields (Document, Problem) for all documents at once,
                           for rules that batch work across files (shellcheck)

The module docstring is the rule's user documentation, with PASS/FAIL examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from . import (credential_file_mode, hardcoded_secret, imdsv1, jinja_syntax, metadata_options,
               mime_merge, schema, secret_in_log, shellcheck, size_limit, suppression,
               unknown_format, yaml_syntax)

RULES = {module.ID: module for module in (
    yaml_syntax, schema, shellcheck, imdsv1, hardcoded_secret, secret_in_log,
    credential_file_mode, size_limit, unknown_format, jinja_syntax, mime_merge, suppression,
    metadata_options)}


@dataclass(frozen=True)
class Context:
    """What a rule may use besides the document: its options, and shared services."""

    options: Mapping[str, Any]
    checker: Callable[[], Any] = lambda: None  # the schema Checker, built on first use
    jobs: int = 1  # processes a batch rule may run side by side
    budget: float | None = None  # shellcheck seconds per input (lint); None: render's deadline
