"""Render's validation through the lint engine starts shellcheck once, before lint's rules
are imported (shellcheck.prefetch), and the shellcheck rule uses that run (issue 17: the
validation of bootstrapper's own output must not get slower). Run in a fresh process, where
the order of imports is the one a user's render has."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_PROBE = """
import json, sys
from bootstrapper import build, profile, shellcheck, validate
text = build.render.render(profile.from_mapping({"format": sys.argv[1]})).text
# Recorded when render asks for the early run (not when its thread gets a core: on a loaded
# machine that can come after the main thread imported the rules), and every run started.
asked, runs = [], []
real_prefetch, real_run = shellcheck.prefetch, shellcheck._run_all
def prefetch(*args, **kwargs):
    asked.append("bootstrapper.lint.rules" in sys.modules)
    return real_prefetch(*args, **kwargs)
def counting(commands, jobs):
    runs.append(len(commands))
    return real_run(commands, jobs)
shellcheck.prefetch, shellcheck._run_all = prefetch, counting
assert validate.check(text, sys.argv[1], "x") == []
print(json.dumps([asked, len(runs)]))
"""


@pytest.mark.parametrize("fmt", ["cloud-config", "shell"])
def test_one_shellcheck_run_started_before_lint_is_imported(fmt):
    done = subprocess.run([sys.executable, "-c", _PROBE, fmt], capture_output=True, text=True,
                          env={**os.environ, "BOOTSTRAPPER_NO_CACHE": "1"}, check=False)
    assert done.returncode == 0, done.stderr
    asked, runs = json.loads(done.stdout)
    assert asked == [False], "shellcheck is asked for before lint's rules load"
    assert runs == 1, "the shellcheck rule reuses the early run instead of starting another"
