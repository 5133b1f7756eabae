"""Lint one text as a file and get its findings (shared by the rule tests)."""

from __future__ import annotations

from pathlib import Path

from bootstrapper.lint import lint_paths, settings_for, with_options


def lint_text(tmp_path: Path, text: str | bytes, name: str = "user-data", **options) -> list:
    """Findings for `text` saved as `name` under `tmp_path` (no config, builtin schema)."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    settings = with_options(settings_for(use_config=False), **({"schema": "builtin"} | options))
    return lint_paths([str(path)], settings).files[0].problems


def codes(problems, severity: str | None = None) -> set[str]:
    """The shellcheck codes among `problems` (at `severity` when given)."""
    return {p.message.split(":", 1)[0] for p in problems
            if p.rule == "shellcheck" and (severity is None or p.severity == severity)}
