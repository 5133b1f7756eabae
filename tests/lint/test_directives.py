"""Inline suppressions, on their own."""

from __future__ import annotations

import pytest

from bootstrapper.lint.directives import parse

TEXT = """#!/bin/sh
curl one # bootstrapper: disable=imdsv1
# bootstrapper: disable-line=imdsv1,shellcheck

curl two
curl three
# bootstrapper: disable=secret-in-log
echo a
# bootstrapper: enable=secret-in-log
echo b
# bootstrapper: disable-next-line
x
y
# bootstrapper: disable=size-limit
"""


@pytest.mark.parametrize("line, rule, covered", [
    (2, "imdsv1", True), (2, "shellcheck", False),          # trailing: that line only
    (5, "imdsv1", True), (5, "shellcheck", True),            # own line: the next code line
    (6, "imdsv1", False),
    (8, "secret-in-log", True), (7, "secret-in-log", True),  # a block up to enable
    (10, "secret-in-log", False),
    (12, "anything", True), (13, "anything", False),          # no rules: every rule
    (14, "size-limit", True), (99, "size-limit", True),       # a block left open runs to the end
])
def test_scopes(line, rule, covered):
    assert parse(TEXT).covers(line, rule) is covered


def test_disable_file_covers_everything_it_names():
    found = parse("#!/bin/sh\necho\n# bootstrapper: disable-file=shellcheck, imdsv1\n")
    assert found.covers(0, "shellcheck") and found.covers(1, "imdsv1")
    assert not found.covers(1, "schema")


def test_yaml_list_item_comment_counts_as_own_line():
    found = parse("runcmd:\n  - # bootstrapper: disable-line=imdsv1\n    curl x\n")
    assert found.covers(3, "imdsv1")


def test_no_directive_is_cheap_and_empty():
    assert not parse("#cloud-config\nruncmd: []\n")
    assert not parse("# bootstrapper disable=imdsv1 (no colon: not a directive)\n")


@pytest.mark.parametrize("line, meant", [
    ("curl x # bootstrapper: disabel=imdsv1", "disable"),
    ("curl x # bootstrapper: disable_line=imdsv1", "disable-line"),
    ("# bootstrapper: enabel=imdsv1", "enable"),
])
def test_misspelled_verbs_are_named(line, meant):
    from bootstrapper.lint import RULES
    from bootstrapper.lint.directives import mistakes

    [(number, message)] = mistakes(f"#!/bin/sh\n{line}\n", RULES)
    assert number == 2 and f"bootstrapper: {meant}=RULE" in message


def test_unknown_rule_ids_and_fine_directives(tmp_path):
    from bootstrapper.lint import RULES
    from bootstrapper.lint.directives import mistakes

    text = ("#!/bin/sh\ncurl x # bootstrapper: disable=imdsv2,shellcheck\n"
            "# bootstrapper: disable-file=hardcoded-secrets\n# bootstrapper: disable\n"
            "# bootstrapper 1.2: generated, not a directive\n")
    assert [(n, m.split(":")[0]) for n, m in mistakes(text, RULES)] == [
        (2, "unknown rule 'imdsv2' in a suppression"),
        (3, "unknown rule 'hardcoded-secrets' in a suppression")]
    assert "did you mean 'hardcoded-secret'" in mistakes(text, RULES)[1][1]


def test_the_suppression_rule_reports_in_file_lines(tmp_path):
    from lint_support import lint_text

    text = ("#!/bin/sh\ncurl -s http://169.254.169.254/latest/meta-data/ "
            "# bootstrapper: disable=imdsv2\n")
    found = {(p.line, p.rule, p.severity) for p in lint_text(tmp_path, text)}
    assert found == {(2, "imdsv1", "error"), (2, "suppression", "warning")}
