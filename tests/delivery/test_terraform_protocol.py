"""`bootstrapper terraform` as Terraform's `external` data source runs it: the executable
exec'd without a shell, the query written as Go's encoder writes it, stdin closed after
it, Terraform's environment passed through. stdout is one JSON object of strings, or
nothing at all with one line on stderr and a non-zero exit."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import pty
import subprocess

import pytest
from delivery_support import console_script, go_json, run_as_terraform

from bootstrapper import terraform
from bootstrapper.errors import ProfileError
from support import run_cli

KEYS = {"user_data", "user_data_base64", "sha256", "size_bytes"}


def assert_protocol(result: subprocess.CompletedProcess) -> dict | None:
    """The invariant Terraform relies on, for any input whatsoever."""
    if result.returncode == 0:
        out = json.loads(result.stdout)
        assert isinstance(out, dict) and set(out) == KEYS
        assert all(isinstance(v, str) for v in out.values())
        assert result.stdout.count(b"\n") == 1 and result.stdout.isascii()
        return out
    assert result.stdout == b"", "nothing on stdout on error"
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bootstrapper terraform: error: ")
    assert "Traceback" not in result.stderr.decode()
    return None


def render(*args: str) -> bytes:
    done = run_cli("render", *args, binary=True)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_result_is_the_render_in_every_encoding():
    out = assert_protocol(run_as_terraform(go_json({"role": "app-role", "lockdown": "true"})))
    plain = render("--role", "app-role", "--lockdown")
    payload = base64.b64decode(out["user_data_base64"], validate=True)
    assert out["user_data"].encode() == plain == payload
    assert out["sha256"] == hashlib.sha256(payload).hexdigest()
    assert out["size_bytes"] == str(len(payload))


@pytest.mark.parametrize("users", ["monitor,ops", " monitor , ops ", '["monitor", "ops"]'])
def test_every_list_key_takes_commas_or_a_json_list(users):
    """jsonencode() for lists works for allow_users as it does for parts."""
    query = {"lockdown": "true", "allow_users": users}
    out = terraform.result(query)
    assert out["user_data"].encode() == render("--lockdown", "--allow-user", "monitor",
                                               "--allow-user", "ops")


def test_gzip_result_is_gzipped_user_data_base64():
    out = assert_protocol(run_as_terraform(go_json({"gzip": "true", "format": "mime"})))
    payload = base64.b64decode(out["user_data_base64"])
    assert gzip.decompress(payload) == out["user_data"].encode()
    assert out["size_bytes"] == str(len(payload))  # what EC2 counts: the gzip


def test_same_query_byte_identical_output():
    query = go_json({"role": "app-role", "format": "shell", "allow_users": "cwagent",
                     "lockdown": "true"})
    first, second = run_as_terraform(query), run_as_terraform(query)
    assert first.returncode == 0 and first.stdout == second.stdout


def test_environment_is_passed_through(tmp_path):
    """Terraform hands the program its own environment: a bare one still works, and the
    variables we read from it (the cache location) are honoured."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TF_LOG": "DEBUG",
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    result = run_as_terraform(go_json({"role": "env-test"}), env=env, cwd=tmp_path)
    assert assert_protocol(result) is not None
    assert (tmp_path / "cache" / "bootstrapper").is_dir()
    assert run_as_terraform(go_json({}), env={}, cwd=tmp_path).returncode == 0


def test_relative_paths_are_resolved_in_the_working_dir(tmp_path):
    (tmp_path / "app.sh").write_text("#!/bin/sh\necho app\n")
    query = go_json({"format": "mime", "parts": "app.sh"})
    out = assert_protocol(run_as_terraform(query, cwd=tmp_path))
    assert 'filename="user-01-app.sh"' in out["user_data"]


def test_parts_as_a_json_list_when_a_spec_has_a_comma(tmp_path):
    (tmp_path / "a.yaml").write_text("#cloud-config\npackages: [jq]\n")
    spec = "a.yaml:merge=list(append)+dict(no_replace,recurse_list)+str()"
    query = go_json({"format": "mime", "parts": json.dumps([spec])})
    out = assert_protocol(run_as_terraform(query, cwd=tmp_path))
    assert "X-Merge-Type: list(append)+dict(no_replace,recurse_list)+str()" in out["user_data"]


def test_a_terminal_on_stdin_is_an_error_not_a_hang():
    primary, secondary = pty.openpty()
    try:
        result = subprocess.run([console_script(), "terraform"], stdin=secondary,
                                capture_output=True, timeout=30, check=False)
    finally:
        os.close(primary)
        os.close(secondary)
    assert result.returncode == 2 and b"stdin is a terminal" in result.stderr
    assert result.stdout == b""


HOSTILE = [
    b"",
    b"  \n\t ",
    b"not json",
    b"[]",
    b'"a string"',
    b"null",
    b"42",
    b'{"role": 5}',
    b'{"role": null}',
    b'{"lockdown": true}',
    b'{"role": {"nested": "object"}}',
    b'{"rolee": "app"}',
    b'{"role": "a", "role": "b"}',
    b'{"role": NaN}',
    b"[" * 100_000,
    b'{"role": "\xff\xfe"}',
    b'{"role": "a\\u0000b"}',
    b'{"env_file": "/run/../etc/shadow"}',
    b'{"base64": "true"}',
    b'{"output": "/tmp/terraform-overwrites-this"}',
    b'{"hop_limit": "2"}',
    b'{"template": "/nonexistent/template.j2"}',
    b'{"format": "mime", "parts": "/dev/zero:text/x-shellscript"}',
    b'{"format": "mime", "parts": "/etc/hostname-nonexistent"}',
    b'{"vars": "{not json"}',
    b'{"imds_endpoint": "http://attacker.example"}',
    b'{"role": "app"} {"role": "again"}',
    b'{"role": "app\\nextra: line"}',
    b'{"__proto__": "x", "constructor": "y"}',
    b'{"role": "' + b"r" * 5_000_000 + b'"}',
    b'{"format": "mime", "parts": "[\\"unclosed"}',
    b'\xef\xbb\xbf{"role": "bom"}',
]


@pytest.mark.parametrize("stdin", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_break_the_protocol(stdin, tmp_path):
    result = run_as_terraform(stdin, cwd=tmp_path)
    out = assert_protocol(result)
    assert out is None, "every one of these queries is wrong"
    assert not (tmp_path / "terraform-overwrites-this").exists()


# --- in process: the messages -----------------------------------------------------------


@pytest.mark.parametrize("stdin, words", [
    (b"", "stdin was empty"),
    (b"{", "not valid JSON"),
    (b"[1]", "got an array"),
    (b'{"a": "1", "a": "2"}', "appears twice"),
    (b'{"role": Infinity}', "not valid JSON"),
    (b"\xff", "not UTF-8"),
    (b"[" * 100_000, "nested too deeply"),
])
def test_parse_errors_are_clear(stdin, words):
    with pytest.raises(ProfileError, match=words):
        terraform.parse_query(stdin)


@pytest.mark.parametrize("query, words", [
    ({"role": 5}, "role: every query value must be a string"),
    ({"rolee": "x"}, "rolee: unknown option; did you mean 'role'"),
    ({"base64": "true"}, "base64: is not a query key"),
    ({"iam_instance_profile": "web"}, "belongs to the launch template"),
    ({"parts": "[1]"}, "JSON list of strings"),
    ({"lockdown": "true", "allow_users": '["monitor", 1]'}, "allow_users: must be a JSON list"),
    ({"lockdown": "true", "allow_users": '["monitor"'}, "allow_users: looks like a JSON list"),
])
def test_query_errors_name_the_key(query, words):
    stdin, stdout, stderr = io.BytesIO(json.dumps(query).encode()), io.StringIO(), io.StringIO()
    assert terraform.main(stdin, stdout, stderr) == 2
    assert stdout.getvalue() == "" and words in stderr.getvalue()


def test_an_internal_error_is_still_one_line(monkeypatch):
    def explode(query):
        raise RuntimeError("boom\nwith a second line")

    monkeypatch.setattr(terraform, "result", explode)
    stdout, stderr = io.StringIO(), io.StringIO()
    assert terraform.main(io.BytesIO(b"{}"), stdout, stderr) == 2
    assert stdout.getvalue() == ""
    assert stderr.getvalue() == ("bootstrapper terraform: error: internal error, please "
                                 "report it: RuntimeError: boom with a second line\n")
