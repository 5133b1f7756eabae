"""Each rule module is documented by its docstring, with FAIL and PASS examples: the
examples are linted here, so the documentation cannot drift from the rules."""

from __future__ import annotations

import io
import re
import textwrap

import pytest

from bootstrapper.lint import RULES, lint_paths, settings_for


def examples():
    for rule_id, module in RULES.items():
        doc = module.__doc__ or ""
        assert doc.startswith(f"{rule_id}: "), f"{rule_id}: docstring must start with its id"
        for kind, block in re.findall(r"^(FAIL|PASS):\n((?:    .*\n|\n)+)", doc, re.M):
            text = textwrap.dedent(block).strip("\n") + "\n"
            yield pytest.param(rule_id, kind, text, id=f"{rule_id}-{kind}")


@pytest.mark.parametrize("rule_id, kind, text", list(examples()))
def test_example(rule_id, kind, text):
    report = lint_paths(["-"], settings_for(use_config=False), stdin=io.BytesIO(text.encode()))
    rules = {p.rule for p in report.files[0].problems}
    assert (rule_id in rules) == (kind == "FAIL"), report.files[0].problems


def test_every_rule_has_data_and_a_check():
    for rule_id, module in RULES.items():
        assert module.ID == rule_id
        assert module.SEVERITY in ("error", "warning", "info")
        assert isinstance(module.OPTIONS, dict)
        assert hasattr(module, "check") or hasattr(module, "check_all")
