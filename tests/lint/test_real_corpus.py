"""Score lint on corpora judged by hand: every expected finding found, at most two
false alarms at warning/error level across a corpus, each accepted with a reason."""

from __future__ import annotations

import pytest

from bootstrapper.lint import RULES, lint_paths, settings_for, with_options

import real_corpus

MAX_ACCEPTED = 2
TARGET = "25"  # the corpus is judged for the newest cloud-init (ubuntu_pro is a key there)


def bootstrapper_findings(corpus) -> dict:
    """The built-in schema, so the result does not depend on the cloud-init installed."""
    settings = with_options(settings_for(use_config=False), schema="builtin",
                            cloud_init_version=TARGET)
    paths = real_corpus.files(corpus)
    report = lint_paths([str(p) for p in paths], settings)
    return {path.relative_to(corpus).as_posix(): [(p.line, p.rule, p.severity, p.message)
                                                 for p in result.problems]
            for path, result in zip(paths, report.files, strict=True)}


def test_our_corpus_is_big_described_and_covers_every_class():
    corpus = real_corpus.OURS
    names = {p.relative_to(corpus).as_posix() for p in real_corpus.files(corpus)}
    judged = real_corpus.judgements(corpus)
    assert len(names) >= 40
    assert names == set(judged), "every file needs an entry in expected.yaml (even {})"
    rules = {j.rule for item in judged.values() for j in item.expect}
    assert {"hardcoded-secret", "secret-in-log", "credential-file-mode", "imdsv1", "schema",
            "unknown-key", "yaml-syntax", "shellcheck", "unknown-format"} <= rules <= set(RULES)


@pytest.mark.parametrize("corpus", real_corpus.corpora(), ids=lambda p: p.name)
def test_corpus_score(corpus):
    judged = real_corpus.judgements(corpus)
    result = real_corpus.score(bootstrapper_findings(corpus), judged)
    assert not result.missed, "expected findings not reported:\n" + "\n".join(
        f"{name}:{item.line} {item.rule} ({item.why})" for name, item in result.missed)
    assert not result.false_alarms, "false alarms (fix them, or accept with why):\n" + \
        "\n".join(f"{n}:{line} {rule}: {message}" for n, line, rule, message in result.false_alarms)
    assert len(result.accepted) <= MAX_ACCEPTED
    assert all(j.why for item in judged.values() for j in item.accept)
    assert not result.pending_found, "now found: move these from pending to expect:\n" + \
        "\n".join(f"{name}:{item.line} {item.rule}" for name, item in result.pending_found)


def test_scoring_counts_misses_false_alarms_accepted_and_pending(tmp_path):
    (tmp_path / "expected.yaml").write_text(
        "a.sh:\n  expect:\n    - 2 imdsv1 no token\n    - 3 hardcoded-secret a password\n"
        "  accept:\n    - 5 shellcheck style, tolerated\n"
        "  pending:\n    - 1 unknown-format needs the reader\n"
        "b.sh: {}\n")
    judged = real_corpus.judgements(tmp_path)
    reported = {"a.sh": [(2, "imdsv1", "error", "m"), (5, "shellcheck", "warning", "m"),
                         (1, "unknown-format", "error", "m"), (9, "shellcheck", "info", "m")],
                "b.sh": [(4, "secret-in-log", "warning", "m")]}
    result = real_corpus.score(reported, judged)
    assert [(n, j.line) for n, j in result.found] == [("a.sh", 2)]
    assert [(n, j.line) for n, j in result.missed] == [("a.sh", 3)]
    assert [(n, line) for n, line, _, _ in result.false_alarms] == [("b.sh", 4)]
    assert [(n, line) for n, line, _, _ in result.accepted] == [("a.sh", 5)]
    assert [(n, j.rule) for n, j in result.pending_found] == [("a.sh", "unknown-format")]
    assert result.recall == 0.5


def test_a_corpus_judged_before_a_rule_split_still_scores(tmp_path):
    (tmp_path / "expected.yaml").write_text("a.yaml:\n  expect:\n    - 3 schema runcmds, a typo\n")
    reported = {"a.yaml": [(3, "unknown-key", "warning", "unknown key 'runcmds'")]}
    result = real_corpus.score(reported, real_corpus.judgements(tmp_path))
    assert len(result.found) == 1 and not result.missed and not result.false_alarms
