"""The README's commands, pasted into a shell in a fresh clone, work as written (issue 15).

A fresh `git clone` of this repository's HEAD; the `bootstrapper` on PATH is this venv's
console script, importing the clone's package (PYTHONPATH). Every line of the README's
`sh` blocks in the quick start and "Your own templates" runs with `sh -c` in the clone,
in order, and must exit 0. A file a block says to create (the `app.yaml.j2` template shown
just before) is written from the README itself.

Not run here, and why: `./dev test` is this test suite (it would run itself); `aws ...`
needs an AWS account. SLOW: `./dev demo` creates a venv and pip-installs the package in
the clone (about 15 s, needs the package index).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT

SECTIONS = ("## Quick start", "## Your own templates")
NOT_RUN = ("./dev test", "aws ")


def readme_commands(readme: str) -> list[str]:
    commands = []
    for heading in SECTIONS:
        section = readme.split(heading, 1)[1].split("\n## ", 1)[0]
        for block in re.findall(r"```sh\n(.*?)```", section, re.S):
            commands += [line for line in block.splitlines() if line.strip()]
    return commands


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("clone") / "bootstrapper"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(where)], check=True)
    readme = (where / "README.md").read_text()
    template = re.search(r"`app\.yaml\.j2`:\n\n```jinja\n(.*?)```", readme, re.S).group(1)
    (where / "app.yaml.j2").write_text(template)
    return where


def test_the_readme_has_the_commands_a_new_user_runs():
    commands = readme_commands((ROOT / "README.md").read_text())
    assert commands[:2] == ["./dev demo    # set up a venv, then render examples/web-app.yaml "
                            "to stdout", "./dev test    # install the Debian packages and test "
                            "image, then run the whole test suite"]
    assert len(commands) >= 10


@pytest.mark.parametrize("command", [c for c in readme_commands(
    (ROOT / "README.md").read_text()) if not c.startswith(NOT_RUN)])
def test_each_readme_command_works_in_a_fresh_clone(clone, command, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(clone),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    if command.startswith("./dev demo"):
        env["BOOTSTRAPPER_VENV"] = str(tmp_path / "venv")  # a venv of its own, as a user's
        env.pop("PYTHONPATH")
    done = subprocess.run(["sh", "-c", command], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr
