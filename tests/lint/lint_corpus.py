"""The lint corpus: user-data files under corpus/ and their expected findings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

CORPUS = Path(__file__).parent / "corpus"
EXPECTED_FILE = CORPUS / "expected.yaml"


@dataclass(frozen=True)
class Expected:
    line: int
    rule: str
    severity: str
    text: str  # must appear in the message ("" for any)


def files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p != EXPECTED_FILE
                  and p.name != "README.md")


def name(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def expected() -> dict[str, list[Expected]]:
    data = yaml.safe_load(EXPECTED_FILE.read_text(encoding="utf-8"))
    out = {}
    for file_name, findings in data.items():
        parsed = []
        for finding in findings or []:
            line, rule, severity, *text = finding.split(" ", 3)
            parsed.append(Expected(int(line), rule, severity, text[0] if text else ""))
        out[file_name] = parsed
    return out
