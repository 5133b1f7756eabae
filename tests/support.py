"""Helpers the tests import (`from support import ...`; tests/ is on pytest's pythonpath)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

# Strings that break naive quoting in YAML, sh, JSON or MIME: every free-text input is tried
# with them (tests/test_fuzz.py, tests/test_terraform_templates.py).
HOSTILE = ["'", '"', "$(touch /tmp/canary)", "`touch /tmp/canary`", "a\nb", "---", "- x: y",
           "#", "é✓😀", "\\", "${IFS}", ";reboot;", "\r\n", "key: value", "|", "BOOTSTRAPPER_EOF"]


def run_cli(*args: str, stdin: str | None = None, env: dict | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real console entry point in a fresh process."""
    return subprocess.run([sys.executable, "-m", "bootstrapper", *args], input=stdin,
                          capture_output=True, text=True, cwd=cwd or ROOT,
                          env={**os.environ, **(env or {})}, check=False)


def assert_clean_error(result, code: int = 2, *fragments: str) -> str:
    """A refused command: exit `code`, nothing on stdout, one line on stderr (no traceback)
    holding every fragment. Returns that line."""
    assert result.returncode == code, result.stderr
    assert result.stdout == "", "nothing on stdout"
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def user_template(tmp_path, body: str, entry: str = "cloud-config.yaml.j2",
                  block: str = "after_credentials") -> str:
    """A template extending `entry` with `body` as its `block` (from line 2)."""
    path = tmp_path / ("t.yaml.j2" if entry.endswith(".yaml.j2") else "t.sh.j2")
    path.write_text(f'{{% extends "{entry}" %}}{{% block {block} %}}\n'
                    f"{body}\n{{% endblock %}}\n")
    return str(path)
