"""The CLI as users run it: a fresh process, exit codes, one-line errors, no traceback."""

from __future__ import annotations

import pytest

from bootstrapper import __version__

from support import ROOT, assert_clean_error, helper_of, run_cli


def test_version(cli):
    result = cli("--version")
    assert (result.returncode, result.stdout) == (0, f"bootstrapper {__version__}\n")


@pytest.mark.parametrize("command", [["render"], ["terraform"], ["launch-template"], ["lint"],
                                     ["inspect"], ["templates", "list"], []])
def test_help_everywhere(cli, command):
    result = cli(*command, "--help")
    assert result.returncode == 0 and "Usage:" in result.stdout
    if command:
        assert "Example" in result.stdout


def test_render_help_has_examples_and_every_option(cli):
    from bootstrapper.profile import FIELDS

    out = cli("render", "--help").stdout
    assert "Examples:" in out
    listed = {line.split()[0].rstrip(",") for line in out.splitlines()
              if line.startswith("  --")}
    assert listed >= {f.option for f in FIELDS if f.cli}
    assert not listed & {f.option for f in FIELDS if not f.cli}  # launch-template's own
    for field in FIELDS:
        if field.cli:
            assert field.option in out


def test_no_arguments_renders_the_working_default(cli):
    result = cli("render")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("#cloud-config\n")
    helper = helper_of(result.stdout)
    assert "ROLE=''" in helper  # discovered at boot
    assert "ENV_FILE='/run/bootstrapper/credentials.env'" in helper


@pytest.mark.parametrize("profile_text,fragment", [
    ("app_usr: x\n", "did you mean 'app_user'"),
    ("role: 'not a role'\n", "role:"),
    ("env_file: creds.env\n", "env_file:"),
    ("role: [unclosed\n", "not valid YAML"),
    ("- a list\n", "mapping"),
    # and where: the file and line of the key
    ("role: ok\napp_usr: x\n", "profile.yaml:2: app_usr: unknown option"),
    ("role: ok\n\nvars:\n  a: [1]\n", "profile.yaml:3: vars.a: must be a string"),
    ("token_ttl: soon\n", "profile.yaml:1: token_ttl:"),
])
def test_bad_profiles_exit_2_with_one_line_that_says_where(cli, tmp_path, profile_text,
                                                           fragment):
    path = tmp_path / "profile.yaml"
    path.write_text(profile_text)
    assert_clean_error(cli("render", str(path)), 2, fragment)


@pytest.mark.parametrize("profile_text,options", [
    ("allow_users: [monitor]\n", ["--lockdown"]),
    ("format: shell\ninstall_missing: true\n", ["--format", "cloud-config"]),
    ("lockdown: true\nallow_users: [monitor]\n", ["--no-lockdown", "--allow-user", "x"]),
])
def test_options_complete_a_profile_before_the_combination_is_checked(cli, tmp_path,
                                                                       profile_text, options):
    """A file that is incomplete alone is fine when the command line completes it; the
    merged profile is what is checked (the last case: the merge is wrong, and says so)."""
    path = tmp_path / "p.yaml"
    path.write_text(profile_text)
    result = cli("render", str(path), *options)
    if "--no-lockdown" in options:
        assert_clean_error(result, 2, "--allow-user: only means something with lockdown")
    else:
        assert result.returncode == 0, result.stderr


def test_missing_profile_file(cli, tmp_path):
    assert_clean_error(cli("render", str(tmp_path / "nope.yaml")), 2, "nope.yaml")


def test_yaml_error_has_line_number(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("role: ok\napp_user: [\n")
    assert_clean_error(cli("render", str(path)), 2, "p.yaml:3")


def test_option_overrides_profile(cli):
    out = cli("render", str(ROOT / "examples" / "web-app.yaml"), "--format", "shell",
              "--app-user", "nginx").stdout
    assert out.startswith("#!/bin/sh") and "APP_USER='nginx'" in helper_of(out)


def test_output_file_is_written_whole(cli, tmp_path):
    target = tmp_path / "user-data"
    result = cli("render", "--output", str(target))
    assert result.returncode == 0 and result.stdout == ""
    assert target.read_text().startswith("#cloud-config")


@pytest.mark.parametrize("output", [False, True])
def test_refused_render_prints_nothing(cli, tmp_path, output):
    """A render that fails validation (here: a user's block that is not valid sh) exits 1,
    prints no user-data and leaves no --output file."""
    (tmp_path / "t.sh.j2").write_text('{% extends "user-data.sh.j2" %}'
                                      "{% block after_credentials %}\nif then fi\n"
                                      "{% endblock %}\n")
    target = tmp_path / "user-data"
    result = cli("render", "--template", "t.sh.j2", *(["--output", str(target)] if output
                                                         else []), cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("bootstrapper: error: refusing to print user-data that "
                                    "fails validation"), result.stderr
    assert "Traceback" not in result.stderr
    assert not target.exists()


def test_profile_error_prints_nothing(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("token_ttl: 99999\n")
    assert_clean_error(cli("render", str(path)), 2, "p.yaml:1: token_ttl: must be between")


# --- profiles: duplicates, one rule for lists, `-` for stdin (issue 15) ---------------


@pytest.mark.parametrize("text,where", [
    ("role: a\nformat: shell\nrole: b\n", "p.yaml:3: role: given twice"),
    ("vars:\n  a: x\n  b: y\n  a: z\n", "p.yaml:4: vars.a: given twice"),
    ("lockdown: true\nallow_user: [a]\nallow_users: [b]\n",
     "p.yaml:3: allow_users: is the same option as 'allow_user'"),
])
def test_a_profile_key_given_twice_is_refused_with_file_and_line(cli, tmp_path, text, where):
    (tmp_path / "p.yaml").write_text(text)
    assert_clean_error(cli("render", "p.yaml", cwd=tmp_path), 2, where)


def test_command_line_list_replaces_the_profile_list_and_var_adds_keys(cli, tmp_path):
    (tmp_path / "p.yaml").write_text("lockdown: true\nallow_users: [alice]\n"
                                     "vars: {a: from-profile, b: kept}\n")
    (tmp_path / "t.j2").write_text('{% extends "user-data.sh.j2" %}{% block after_credentials %}'
                                   "\necho {{ vars.a | sh }} {{ vars.b | sh }}\n{% endblock %}\n")
    result = cli("render", "p.yaml", "--allow-user", "bob", "--template", "t.j2",
                 "--var", "a=from-cli", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "echo 'from-cli' 'kept'" in result.stdout
    helper = helper_of(result.stdout)
    assert "ALLOW_USERS='bob'" in helper and "alice" not in result.stdout + helper
    assert "replaces the profile's list" in cli("render", "--help").stdout


@pytest.mark.parametrize("command", ["render", "launch-template"])
def test_dash_reads_the_profile_from_stdin(cli, tmp_path, command):
    (tmp_path / "-").write_text("role: from-a-file-named-dash\n")
    result = cli(command, "-", stdin="role: from-stdin\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    if command == "launch-template":
        import base64
        import json

        out = base64.b64decode(json.loads(out)["UserData"]).decode()
    out = helper_of(out)
    assert "from-stdin" in out and "from-a-file-named-dash" not in out


def test_dash_profile_errors_name_stdin(cli):
    assert_clean_error(cli("render", "-", stdin="role: a\nrole: b\n"), 2, "-:2: role: given")


# --- input size and binary output (issue 15) -------------------------------------------


@pytest.mark.parametrize("args,what", [
    (("render", "/dev/zero"), "profile"),
    (("render", "-"), "profile"),
    (("inspect", "/dev/zero"), "user-data"),
    (("inspect", "-"), "user-data"),
    (("render", "--template", "/dev/zero"), "template"),
    (("render", "--format", "mime", "--part", "/dev/zero"), "part"),
])
def test_an_endless_input_is_refused_at_the_one_cap(args, what):
    with open("/dev/zero", "rb") as zero:
        done = run_cli(*args, stdin=zero, timeout=60)
    assert_clean_error(done, 2, f"{what} is over 4 MB")


def _on_a_terminal(*args: str) -> tuple[int, bytes]:
    """Run the CLI with stdout on a pseudo-terminal: (exit code, what reached it)."""
    import os
    import pty

    leader, follower = pty.openpty()
    done = run_cli(*args, binary=True, stdout=follower, timeout=60)
    os.close(follower)
    seen = b""
    try:
        while chunk := os.read(leader, 65536):
            seen += chunk
    except OSError:  # EIO: the terminal's other end is closed and drained
        pass
    os.close(leader)
    return done.returncode, seen + done.stderr


def test_gzip_is_not_written_to_a_terminal():
    code, seen = _on_a_terminal("render", "--gzip")
    assert code == 2
    assert b"refusing to write binary user-data to a terminal" in seen
    assert b"\x1f\x8b" not in seen


def test_gzip_still_goes_to_a_pipe_and_base64_to_a_terminal():
    code, seen = _on_a_terminal("render", "--gzip", "--base64")
    assert code == 0 and seen.startswith(b"H4sI"), seen[:200]
    piped = run_cli("render", "--gzip", binary=True)
    assert piped.returncode == 0 and piped.stdout.startswith(b"\x1f\x8b")


@pytest.mark.parametrize("given, said", [
    (["--token-ttl", "0"], "--token-ttl: must be between 1 and 21600"),
    (["--role", "a b"], "--role: must be an IAM role name"),
    (["--env-file", "relative.env"], "--env-file: must be an absolute file path"),
])
def test_a_bad_value_is_named_in_the_words_it_was_given_in(cli, tmp_path, given, said):
    """As the rule book's errors are: the flag on the command line, the key (with its file
    and line) in a profile, the query key in a Terraform query."""
    assert_clean_error(cli("render", *given), 2, said)
    assert_clean_error(cli("launch-template", *given), 2, said)
    key, value = given[0][2:].replace("-", "_"), given[1]
    path = tmp_path / "p.yaml"
    path.write_text(f"app_user: app\n{key}: '{value}'\n")
    assert_clean_error(cli("render", str(path)), 2, f"p.yaml:2: {key}: must be")
    query = '{"%s": "%s"}' % (key, value)
    assert_clean_error(cli("terraform", stdin=query), 2, f"error: {key}: must be")
