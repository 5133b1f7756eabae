"""Issue 10: a Terraform query with `template`, `template_dir` and `vars` gives the same bytes
as the equivalent `bootstrapper render` command line.

Both run as real processes from the same working directory (Terraform runs the program in the
data source's working_dir, so relative template paths mean the same thing to both). `vars` is
encoded the way Terraform's jsonencode() writes it.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import subprocess

import pytest
from support import HOSTILE, run_cli

OWN = "tests/instance/templates"
# Beyond HOSTILE: what jsonencode() escapes (<, >, &, U+2028), and a literal `\u` sequence.
ESCAPED = ["<script>&amp;</script>", "line\u2028separator\u2029", "\\u0041 not an A"]

CASES = {
    "shell example": {"template": "examples/templates/web-app.sh.j2",
                      "vars": {"domain": "example.com"}},
    "cloud-config example": {"template": "examples/templates/web-app.yaml.j2",
                             "app_user": "www-data", "lockdown": "true",
                             "vars": {"domain": "example.com", "bucket": "my-assets"}},
    "template_dir override": {"template_dir": "examples/templates/fast-refresh",
                              "format": "shell"},
    "template in a template_dir": {"template": f"{OWN}/ordering.yaml.j2",
                                   "template_dir": OWN, "credential_process_file":
                                   "/run/bootstrapper/app.json"},
    "hostile vars": {"template": f"{OWN}/hostile.yaml.j2", "vars": {
        **{f"v{i:02d}": value for i, value in enumerate(HOSTILE + ESCAPED)},
        "control": "true"}},
    "gzip": {"template": "examples/templates/web-app.yaml.j2", "gzip": "true",
             "vars": {"domain": "d\u00e9j\u00e0.example", "bucket": "b"}},
}


def jsonencode(value: dict[str, str]) -> str:
    """What Terraform's jsonencode() writes for a map of strings: sorted keys, no spaces,
    UTF-8 kept, and <, >, &, U+2028, U+2029 escaped."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def query_for(case: dict) -> dict[str, str]:
    return {key: jsonencode(value) if key == "vars" else value for key, value in case.items()}


def render_argv(case: dict) -> list[str]:
    """The equivalent command line: --key value, a flag for "true", --var KEY=VALUE each."""
    argv = []
    for key, value in case.items():
        option = "--" + key.replace("_", "-")
        if key == "vars":
            argv += [arg for name, val in value.items() for arg in ("--var", f"{name}={val}")]
        elif value == "true":
            argv.append(option)
        else:
            argv += [option, value]
    return argv


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """The real entry point, bytes in and out (text mode would turn \\r\\n into \\n)."""
    return run_cli(*args, stdin=stdin, binary=True)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_query_gives_the_render_bytes(case, tmp_path):
    query = json.dumps(query_for(case)).encode()
    answer = run("terraform", stdin=query)
    assert answer.returncode == 0, answer.stderr.decode()
    result = json.loads(answer.stdout)

    out = tmp_path / "user-data"
    rendered = run("render", *render_argv(case), "--output", str(out))
    assert rendered.returncode == 0, rendered.stderr.decode()
    payload = out.read_bytes()

    assert base64.b64decode(result["user_data_base64"], validate=True) == payload
    assert result["sha256"] == hashlib.sha256(payload).hexdigest()
    assert result["size_bytes"] == str(len(payload))
    text = gzip.decompress(payload) if case.get("gzip") == "true" else payload
    assert result["user_data"].encode() == text
    assert run("terraform", stdin=query).stdout == answer.stdout  # the same query, same bytes


def test_the_vars_reach_the_output():
    """The comparison above is not between two renders that both ignored `vars`."""
    case = CASES["hostile vars"]
    result = json.loads(run("terraform", stdin=json.dumps(query_for(case)).encode()).stdout)
    for value in ("<script>&amp;</script>", "$(touch /tmp/canary)"):
        assert f"printf '%s' '{value}'" in result["user_data"]
    changed = query_for({**case, "vars": {**case["vars"], "v00": "other"}})
    other = json.loads(run("terraform", stdin=json.dumps(changed).encode()).stdout)
    assert other["sha256"] != result["sha256"]
