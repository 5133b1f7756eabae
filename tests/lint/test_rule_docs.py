"""Each rule module is documented by its docstring, with FAIL and PASS examples: the
examples are linted here, so the documentation cannot drift from the rules (docs/lint.md
is generated from the same docstrings: tests/test_docs.py)."""

from __future__ import annotations

import io

import pytest

from bootstrapper.lint import RULES, lint_paths, settings_for
from bootstrapper.lint.ruledocs import parse
from support import assert_clean_error, run_cli  # noqa: I001


def examples():
    for rule_id, module in RULES.items():
        for example in parse(module).examples:
            if not example.told:
                yield pytest.param(rule_id, example, id=f"{rule_id}-{example.kind}")


@pytest.mark.parametrize("rule_id, example", list(examples()))
def test_example(rule_id, example, tmp_path):
    settings = settings_for(use_config=False)
    if example.name:  # a file of that name (a .tf that hands user-data to EC2)
        (tmp_path / example.name).write_text(example.text)
        report = lint_paths([str(tmp_path / example.name)], settings)
    else:
        report = lint_paths(["-"], settings, stdin=io.BytesIO(example.text.encode()))
    rules = {p.rule for f in report.files for p in f.problems}
    assert (rule_id in rules) == (example.kind == "FAIL"), report.files


def test_every_rule_has_data_a_check_and_an_example():
    for rule_id, module in RULES.items():
        assert module.ID == rule_id
        assert module.SEVERITY in ("error", "warning", "info")
        assert isinstance(module.OPTIONS, dict)
        assert hasattr(module, "check") or hasattr(module, "check_all")
        doc = parse(module)
        assert doc.summary and doc.body, f"{rule_id}: what it finds, and why"
        assert {e.kind for e in doc.examples} == {"FAIL", "PASS"}, rule_id


def test_a_malformed_docstring_is_named():
    class Module:
        ID, SEVERITY, OPTIONS = "x-rule", "error", {}
        __doc__ = "x-rule: finds x.\n\nWhy.\n\nFAIL:\n    #!/bin/sh\nprose after the example\n"

    with pytest.raises(ValueError, match="x-rule: examples come last"):
        parse(Module)
    Module.__doc__ = "finds x.\n\nWhy.\n"
    with pytest.raises(ValueError, match="must start with 'x-rule: '"):
        parse(Module)


def test_list_rules_prints_each_rule_from_its_docstring():
    result = run_cli("lint", "--list-rules")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(RULES)
    for line, module in zip(lines, RULES.values()):
        assert line.split()[1] == module.SEVERITY or module.ID == "shellcheck"
        assert line.endswith(parse(module).summary.rstrip(".")), line


def test_lint_without_a_path_says_what_to_give():
    assert_clean_error(run_cli("lint"), 2, "Missing argument 'PATHS...'", "- for standard input")
