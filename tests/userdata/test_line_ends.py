"""CRLF line ends as cloud-init treats them: its `dos2unix` (shell scripts and boothooks)
turns CRLF into LF only when the first line ends in CRLF, so a script saved whole in a
Windows editor runs, and one with CRs only below a LF first line runs with them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lint"))
from lint_support import lint_text  # noqa: E402

from bootstrapper.userdata import read  # noqa: E402

WINDOWS = b"#!/bin/sh\r\nset -eu\r\ncd /tmp\r\n"  # saved whole with CRLF
PASTED = b"#!/bin/sh\nset -eu\r\ncd /tmp\r\n"  # a CRLF block under a LF first line


def cloud_init_writes(data: bytes) -> str:
    """The script as the installed cloud-init's shell handler writes it (util.dos2unix)."""
    code = "import sys; from cloudinit import util; " \
           "sys.stdout.buffer.write(util.dos2unix(sys.stdin.buffer.read().decode()).encode())"
    out = subprocess.run(["/usr/bin/python3", "-c", code], input=data, capture_output=True,
                         check=True)
    return out.stdout.decode()


@pytest.mark.parametrize("data", [WINDOWS, PASTED], ids=["windows", "pasted"])
def test_scripts_read_as_cloud_init_writes_them(data):
    assert read(data).snippets[0].text == cloud_init_writes(data)


def test_a_script_saved_with_crlf_runs_so_no_finding(tmp_path):
    assert lint_text(tmp_path, WINDOWS) == []


def test_crs_below_a_lf_first_line_are_reported_where_they_are(tmp_path):
    found = {(p.line, p.rule, p.message.split(":")[0]) for p in lint_text(tmp_path, PASTED)}
    assert found == {(2, "shellcheck", "SC1017"), (3, "shellcheck", "SC1017")}


def test_cloud_config_with_crlf_is_read_as_yaml(tmp_path):
    assert lint_text(tmp_path, b"#cloud-config\r\npackages: [nginx]\r\n") == []
