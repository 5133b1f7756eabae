"""The CLI as users run it: a fresh process, exit codes, one-line errors, no traceback."""

from __future__ import annotations

import pytest

from bootstrapper import __version__

from support import ROOT, assert_clean_error


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
    for field in FIELDS:
        if field.cli:
            assert field.option in out


def test_no_arguments_renders_the_working_default(cli):
    result = cli("render")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("#cloud-config\n")
    assert "ROLE=''" in result.stdout  # discovered at boot
    assert "ENV_FILE='/run/bootstrapper/credentials.env'" in result.stdout


@pytest.mark.parametrize("profile_text,fragment", [
    ("app_usr: x\n", "did you mean 'app_user'"),
    ("role: 'not a role'\n", "role:"),
    ("env_file: creds.env\n", "env_file:"),
    ("role: [unclosed\n", "not valid YAML"),
    ("- a list\n", "mapping"),
])
def test_bad_profiles_exit_2_with_one_line(cli, tmp_path, profile_text, fragment):
    path = tmp_path / "profile.yaml"
    path.write_text(profile_text)
    result = cli("render", str(path))
    assert_clean_error(result, 2, fragment)


@pytest.mark.parametrize("profile_text,where", [
    ("role: ok\napp_usr: x\n", "p.yaml:2: app_usr: unknown option"),
    ("role: ok\n\nvars:\n  a: [1]\n", "p.yaml:3: vars.a: must be a string"),
    ("token_ttl: soon\n", "p.yaml:1: token_ttl:"),
])
def test_profile_errors_name_file_and_line(cli, tmp_path, profile_text, where):
    path = tmp_path / "p.yaml"
    path.write_text(profile_text)
    assert_clean_error(cli("render", str(path)), 2, where)


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
        assert_clean_error(result, 2, "allow_users: only means something with lockdown")
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
    assert out.startswith("#!/bin/sh") and "APP_USER='nginx'" in out


def test_output_file_is_written_whole(cli, tmp_path):
    target = tmp_path / "user-data"
    result = cli("render", "--output", str(target))
    assert result.returncode == 0 and result.stdout == ""
    assert target.read_text().startswith("#cloud-config")


def test_refused_render_prints_nothing(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("token_ttl: 99999\n")
    assert_clean_error(cli("render", str(path)), 2, "token_ttl")
