"""Corpora of user-data with findings judged by hand (tests/lint/real/ and the like).

`expected.yaml` maps each file to `expect`, `accept` and `pending` lists of
"LINE RULE why" strings (see tests/lint/real/README.md). Scoring compares what the
linter reports at warning and error level with those judgements.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bootstrapper.lint.rules import names

ROOT = Path(__file__).resolve().parents[2]
OURS = Path(__file__).resolve().parent / "real"
NOT_USER_DATA = {"expected.yaml", "README.md", "SOURCES", "SOURCES.md"}


@dataclass(frozen=True)
class Judged:
    line: int
    rule: str
    why: str


@dataclass
class Judgement:
    expect: list[Judged] = field(default_factory=list)
    accept: list[Judged] = field(default_factory=list)
    pending: list[Judged] = field(default_factory=list)


def corpora() -> list[Path]:
    """Our corpus, plus the shared one of real files and $BOOTSTRAPPER_LINT_CORPUS if present."""
    found = [OURS, ROOT.parent / "shared" / "lint-corpus"]
    if os.environ.get("BOOTSTRAPPER_LINT_CORPUS"):
        found.append(Path(os.environ["BOOTSTRAPPER_LINT_CORPUS"]))
    return [p for p in found if (p / "expected.yaml").is_file()]


def files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*")
                  if p.is_file() and p.name not in NOT_USER_DATA)


def judgements(corpus: Path) -> dict[str, Judgement]:
    data = yaml.safe_load((corpus / "expected.yaml").read_text(encoding="utf-8")) or {}
    out = {}
    for name, sections in data.items():
        judgement = Judgement()
        for section, items in (sections or {}).items():
            for item in items or []:
                line, rule, why = (str(item).split(" ", 2) + [""])[:3]
                getattr(judgement, section).append(Judged(int(line), rule, why))
        out[name] = judgement
    return out


@dataclass
class Score:
    """What a tool found against the judgements: hits, misses, false alarms."""

    expected: int = 0
    found: list[tuple[str, Judged]] = field(default_factory=list)
    missed: list[tuple[str, Judged]] = field(default_factory=list)
    # (file name, line, rule, message)
    false_alarms: list[tuple[str, int, str, str]] = field(default_factory=list)
    accepted: list[tuple[str, int, str, str]] = field(default_factory=list)
    pending_found: list[tuple[str, Judged]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return len(self.found) / self.expected if self.expected else 1.0


def score(reported: dict[str, list[tuple[int, str, str, str]]],
          judged: dict[str, Judgement]) -> Score:
    """`reported`: file name -> [(line, rule, severity, message)] of one tool."""
    result = Score()
    for name, judgement in judged.items():
        got = reported.get(name, [])
        # a corpus judged before a rule was split off (`schema` for what is now
        # `unknown-key`) still scores: a finding answers to its rule's former id too
        keys = {(line, id_) for line, rule, _, _ in got for id_ in names(rule)}
        result.expected += len(judgement.expect)
        for item in judgement.expect:
            (result.found if (item.line, item.rule) in keys else result.missed).append((name, item))
        for item in judgement.pending:
            if (item.line, item.rule) in keys:
                result.pending_found.append((name, item))
        allowed = {(j.line, j.rule) for j in judgement.expect + judgement.pending}
        accepted = {(j.line, j.rule) for j in judgement.accept}
        for line, rule, severity, message in got:
            ids = {(line, id_) for id_ in names(rule)}
            if severity in ("warning", "error") and not ids & allowed:
                target = result.accepted if ids & accepted else result.false_alarms
                target.append((name, line, rule, message))
    return result
