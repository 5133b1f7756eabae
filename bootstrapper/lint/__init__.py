"""`bootstrapper lint`: find what breaks instances and what leaks credentials in any
EC2 user-data. See docs/lint.md for the rules.

    from bootstrapper.lint import lint_paths, settings_for
    report = lint_paths(["infra/"], settings_for(Path.cwd()))
    for result in report.files:
        for problem in result.problems:
            print(problem)
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from . import baseline
from .config import Settings, find_pyproject, load, with_options
from .discover import Log, expand
from .engine import FileResult, Progress, Report, lint
from .rules import RULES

__all__ = ["FileResult", "Report", "RULES", "Settings", "lint_paths", "settings_for",
           "with_options"]


def settings_for(start: Path | None = None, config: Path | None = None,
                 use_config: bool = True) -> Settings:
    """Settings from `config`, else the nearest pyproject.toml above `start`, else defaults."""
    if not use_config:
        return load(None, RULES)
    return load(config or find_pyproject(start or Path.cwd()), RULES)


def lint_paths(paths: list[str], settings: Settings | None = None, *,
               only_user_data: bool = False, progress: Progress | None = None,
               stdin: BinaryIO | None = None, jobs: int | None = None,
               log: Log | None = None) -> Report:
    """Lint files and directories (`-` is standard input); `log(path, verdict)` hears
    about every file considered (linted or skipped, and why)."""
    settings = settings or settings_for()
    known = baseline.load(settings.baseline) if settings.baseline else None
    inputs = expand(paths, settings, only_user_data, log)
    report = lint(inputs, settings, progress=progress, stdin=stdin, jobs=jobs)
    return baseline.apply(report, known) if known else report
