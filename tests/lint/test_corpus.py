"""Every corpus file gives exactly its expected findings, under either schema source."""

from __future__ import annotations

from collections import Counter

import pytest

from bootstrapper.lint import RULES, lint_paths, settings_for, with_options
from bootstrapper.lint.schemas import installed_path

import lint_corpus as corpus

SCHEMAS = ["builtin"] + (["cloud-init"] if installed_path() else [])


def test_corpus_is_big_and_fully_described():
    names = {corpus.name(p) for p in corpus.files()}
    expected = corpus.expected()
    assert len(names) >= 40
    assert names == set(expected), "every corpus file needs an entry in expected.yaml"
    rules = {e.rule for findings in expected.values() for e in findings}
    assert rules == set(RULES), "every rule needs a failing case"


@pytest.fixture(scope="module", params=SCHEMAS)
def results(request):
    settings = with_options(settings_for(use_config=False), schema=request.param)
    report = lint_paths([str(p) for p in corpus.files()], settings)
    return {f.name.split("corpus/", 1)[1]: f for f in report.files}


@pytest.mark.parametrize("name", sorted(corpus.expected()))
def test_file(results, name):
    want = corpus.expected()[name]
    got = results[name].problems
    assert Counter((p.line, p.rule, p.severity) for p in got) == \
        Counter((e.line, e.rule, e.severity) for e in want), "\n".join(map(str, got))
    for item in want:
        if item.text:
            assert any(p.line == item.line and p.rule == item.rule and item.text in p.message
                       for p in got), f"no {item.rule} finding on line {item.line} " \
                                      f"mentions {item.text!r}: {[p.message for p in got]}"
