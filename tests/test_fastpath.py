"""The render fast path (no typer) and the canonical typer CLI agree: same exit code, same
stdout, same stderr, for plain command lines and for every kind the fast path declines."""

from __future__ import annotations

import pytest
from support import run_cli

from bootstrapper.fastpath import parse_render

ARGVS = [
    ["render"],
    ["render", "examples/web-app.yaml"],
    ["render", "examples/minimal.yaml", "--format", "shell", "--lockdown", "--allow-user", "app",
     "--allow-user", "web"],
    ["render", "--format=shell", "--role=app-role", "--no-refresh", "--token-ttl", "60"],
    ["render", "examples/web-app.yaml", "--no-lockdown", "--app-user", "nginx"],
    ["render", "--var", "a=1", "--var", "b=2", "--template-dir", "examples/templates/fast-refresh"],
    ["render", "--gzip", "--base64"],
    ["render", "--role", "bad role"],  # a profile error: exit 2 from both
    ["render", "--token-ttl", "0"],
    ["render", "--allow-user", "app"],  # a rule of the rule book: both name --allow-user
    ["render", "examples/minimal.yaml", "--part", "/nonexistent/a.yaml"],
    ["render", "--token-ttl", "many"],  # declined: typer reports the bad number
    ["render", "--format"],  # declined: missing value
    ["render", "--role", "--lockdown"],  # declined: value looks like an option
    ["render", "--bogus"],  # declined: unknown option
    ["render", "a.yaml", "b.yaml"],  # declined: two profiles
    ["render", "--lockdown=true"],  # declined: a flag with a value
    ["render", "--role", "a", "--role", "b"],  # declined: a repeated single option
    ["render", "-h"],
    ["render", "--help"],
    ["render", "--", "x"],
    ["render", "missing-profile.yaml"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_fast_path_matches_typer(argv):
    fast = run_cli(*argv)
    canonical = run_cli(*argv, env={"BOOTSTRAPPER_NO_FASTPATH": "1"})
    assert (fast.returncode, fast.stdout, fast.stderr) == \
        (canonical.returncode, canonical.stdout, canonical.stderr)


@pytest.mark.parametrize("argv,taken", [
    (["render"], True), (["render", "p.yaml", "--lockdown"], True), (["lint", "x"], False),
    (["render", "--help"], False), (["render", "--bogus"], False), (["render", "--", "x"], False),
])
def test_fast_path_takes_only_plain_render_lines(argv, taken):
    assert (parse_render(argv) is not None) is taken
