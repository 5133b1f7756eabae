"""Helpers for the delivery tests: run the console script as Terraform would, and ask
Debian's cloud-init (its own /usr/bin/python3 package) what it makes of a user-data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"


def console_script() -> str:
    """The installed `bootstrapper` executable beside this interpreter (what Terraform runs)."""
    beside = Path(sys.executable).parent / "bootstrapper"
    return str(beside) if beside.exists() else shutil.which("bootstrapper") or "bootstrapper"


def go_json(query: dict) -> bytes:
    """The query as Terraform's Go encoder writes it: compact, sorted, HTML-escaped."""
    text = json.dumps(query, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.encode("utf-8")


def run_as_terraform(stdin: bytes, *, env: dict | None = None, cwd: Path | None = None,
                     timeout: float = 60) -> subprocess.CompletedProcess:
    """exec the program directly (no shell), write the query, close stdin, wait."""
    proc = subprocess.Popen([console_script(), "terraform"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, shell=False,
                            cwd=cwd or ROOT, env=os.environ.copy() if env is None else env)
    out, err = proc.communicate(stdin, timeout=timeout)  # communicate closes stdin
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def cloud_init_available() -> bool:
    if not os.path.exists(SYSTEM_PYTHON):
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import cloudinit.user_data"],
                           capture_output=True, check=False)
    return probe.returncode == 0


needs_cloud_init = pytest.mark.skipif(not cloud_init_available(),
                                      reason="Debian's cloud-init is not installed "
                                      "(apt-get install cloud-init)")


def cloud_init_view(user_data: bytes, work: Path) -> dict:
    """What cloud-init 22.4 makes of `user_data`: parts, merged cloud-config, script order."""
    blob = work / "user-data"
    blob.write_bytes(user_data)
    state = work / "cloud"
    state.mkdir()
    result = subprocess.run([SYSTEM_PYTHON, str(HERE / "cloudinit_harness.py"), str(blob),
                             str(state)], capture_output=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)
