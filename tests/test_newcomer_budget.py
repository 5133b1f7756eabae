"""EC2's 16,384-byte limit made visible before it bites (issue 15): render says on stderr
how much is left once under 25 % remains; inspect shows the same number."""

from __future__ import annotations

import re

import pytest
from support import ROOT, run_cli

from bootstrapper.encode import EC2_LIMIT


def big_template(tmp_path) -> str:
    """web-app with a user's block that leaves under a quarter of EC2's limit."""
    lines = "".join(f"echo step {i} of the setup of the app\n" for i in range(150))
    path = tmp_path / "big.yaml.j2"
    path.write_text('{% extends "cloud-config.yaml.j2" %}\n'
                    "{% block after_credentials %}" + lines + "{% endblock %}\n")
    return str(path)


def test_render_notes_the_budget_left_when_under_a_quarter(tmp_path):
    result = run_cli("render", "examples/web-app.yaml", "--template", big_template(tmp_path))
    assert result.returncode == 0, result.stderr
    size = len(result.stdout.encode())
    assert EC2_LIMIT - size < EC2_LIMIT / 4  # the template is that big: the note is due
    left = EC2_LIMIT - size
    assert result.stderr == (f"bootstrapper: note: user-data is {size} bytes of EC2's "
                             f"{EC2_LIMIT}-byte limit: {left} left ({100 * left // EC2_LIMIT} "
                             "%); --gzip makes it several times smaller\n")
    inspected = run_cli("inspect", "-", stdin=result.stdout)
    assert f"fits ({left} bytes to spare)" in inspected.stdout


@pytest.mark.parametrize("args", [("examples/minimal.yaml",), ("examples/web-app.yaml",),
                                  ("examples/web-app.yaml", "--gzip", "--base64")])
def test_no_note_with_room_to_spare(args):
    result = run_cli("render", *args)
    assert result.returncode == 0 and result.stderr == ""


def test_the_note_counts_what_ec2_counts_under_base64(tmp_path):
    template = big_template(tmp_path)
    result = run_cli("render", "examples/web-app.yaml", "--template", template, "--base64")
    size = int(re.search(r"user-data is (\d+) bytes", result.stderr).group(1))
    raw = run_cli("render", "examples/web-app.yaml", "--template", template).stdout
    assert size == len(raw.encode()) and (ROOT / "examples/web-app.yaml").exists()
