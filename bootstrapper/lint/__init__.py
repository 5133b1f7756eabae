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
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from .config import Settings
    from .discover import Log
    from .engine import Progress, Report

# Loaded on first use (PEP 562): render's validation imports only lint.engine, and
# discovery (HCL, CloudFormation), baselines and config loading are not its business.
_LAZY = {"FileResult": "engine", "Report": "engine", "RULES": "rules", "Settings": "config",
         "with_options": "config"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["FileResult", "Report", "RULES", "Settings", "lint_paths", "settings_for",
           "with_options"]


def settings_for(start: Path | None = None, config: Path | None = None,
                 use_config: bool = True) -> Settings:
    """Settings from `config`, else the nearest pyproject.toml above `start`, else defaults."""
    from .config import find_pyproject, load
    from .rules import RULES

    if not use_config:
        return load(None, RULES)
    return load(config or find_pyproject(start or Path.cwd()), RULES)


def lint_paths(paths: list[str], settings: Settings | None = None, *,
               only_user_data: bool = False, progress: Progress | None = None,
               stdin: BinaryIO | None = None, jobs: int | None = None,
               log: Log | None = None) -> Report:
    """Lint files and directories (`-` is standard input); `log(path, verdict)` hears
    about every file considered (linted or skipped, and why)."""
    from . import baseline
    from .discover import expand
    from .engine import lint

    settings = settings or settings_for()
    known = baseline.load(settings.baseline) if settings.baseline else None
    inputs = expand(paths, settings, only_user_data, log)
    report = lint(inputs, settings, progress=progress, stdin=stdin, jobs=jobs)
    return baseline.apply(report, known) if known else report
