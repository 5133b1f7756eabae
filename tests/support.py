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


def run_cli(*args: str, stdin=None, env: dict | None = None, cwd: Path | None = None,
            binary: bool = False, inherit: bool = True, **options) -> subprocess.CompletedProcess:
    """The one way tests run the CLI: the real console entry point in a fresh process, in
    ROOT unless `cwd`. Text in and out; bytes with `binary` or a bytes `stdin` (text mode
    would turn \\r\\n into \\n). `stdin` may be an open file; `options` go to
    subprocess.run (`timeout`, or `stdout` to send the output elsewhere than a pipe). `env`
    adds to this process's environment, or (`inherit=False`) is the whole of it."""
    binary = binary or isinstance(stdin, bytes)
    feed = {"input": stdin} if stdin is None or isinstance(stdin, (str, bytes)) else \
        {"stdin": stdin}
    pipes = {"stderr": subprocess.PIPE} if "stdout" in options else {"capture_output": True}
    return subprocess.run([sys.executable, "-m", "bootstrapper", *args], **feed, **pipes,
                          text=not binary, cwd=cwd or ROOT,
                          env={**(os.environ if inherit else {}), **(env or {})},
                          check=False, **options)


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


def installed(text: str) -> dict[str, str]:
    """{path: content} of the files a rendered user-data (cloud-config, or shell) installs,
    decoded as cloud-init (write_files `encoding`) or the script (`install_file ... gz+b64`)
    would decode them: the helper travels gzip'd and base64'd."""
    import base64
    import gzip
    import shlex

    import yaml

    def decode(content: str, encoding: str | None) -> str:
        if encoding == "gz+b64":
            return gzip.decompress(base64.b64decode(content)).decode()
        assert not encoding, encoding
        return content

    if text.startswith("#cloud-config"):
        return {f["path"]: decode(f["content"], f.get("encoding"))
                for f in yaml.safe_load(text)["write_files"]}
    files, lines = {}, text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("install_file ") and "<<'" in line:
            words = shlex.split(line.split("<<")[0])
            delimiter = line.split("<<'")[1].rstrip("'")
            end = lines.index(delimiter, index + 1)
            body = "\n".join(lines[index + 1:end]) + "\n"
            files[words[1]] = decode(body, words[3] if len(words) > 3 else None)
    return files


HELPER_PATH = "/usr/local/sbin/bootstrapper-imds"


def helper_of(text: str) -> str:
    """The helper script a rendered user-data installs, decoded."""
    return installed(text)[HELPER_PATH]


# The profile with every option that adds bytes to the user-data (issue 15's "richest"),
# for the size ceiling test and benchmarks/size.py.
RICHEST = {"role": "a-role-name-of-a-typical-length", "app_user": "www-data",
           "env_file": "/run/bootstrapper/web-app.env", "lockdown": True,
           "allow_user": ["www-data", "monitoring"],
           "credential_process_file": "/run/bootstrapper/web-app.json",
           "aws_config_file": "/etc/bootstrapper/web-app/aws-config",
           "service": "web-app", "install_missing": True, "refresh": True}


def _hostile():
    from hypothesis import strategies as st

    return st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=40),
                     st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=4).map("".join),
                     st.builds(lambda a, b: f"/run/{a}{b}", st.sampled_from(HOSTILE),
                               st.text(max_size=5)))


# Hostile free text for hypothesis: the HOSTILE strings, their mixes, and any text.
hostile = _hostile()


def assert_posix_sh(path: Path) -> None:
    """The script at `path` is clean for shellcheck -s sh, dash -n and checkbashisms."""
    import shutil

    import pytest

    from bootstrapper import shellcheck

    sc = subprocess.run([shellcheck.binary(), "-s", "sh", str(path)], capture_output=True,
                        text=True, check=False)
    assert sc.returncode == 0, sc.stdout
    assert subprocess.run(["dash", "-n", str(path)], check=False).returncode == 0
    if not shutil.which("checkbashisms"):
        pytest.fail("checkbashisms is missing: ./dev test installs devscripts")
    bashisms = subprocess.run(["checkbashisms", str(path)], capture_output=True, text=True,
                              check=False)
    assert bashisms.returncode == 0, bashisms.stdout + bashisms.stderr
