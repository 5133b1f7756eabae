"""Rendering: validated, deterministic output for every example and format, accepted by
Debian's real `cloud-init schema` and by `shellcheck -s sh`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from bootstrapper import build, helper, profile, render, validate
from bootstrapper.errors import RefusedError

from support import EXAMPLES, HELPER_PATH, assert_posix_sh, helper_of, installed, run_cli

FORMATS = ["cloud-config", "shell"]


def rendered(example, fmt) -> str:
    data = profile.load_file(example) | {"format": fmt}
    return build.build(profile.from_mapping(data)).raw.decode()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_validate(example, fmt):
    text = rendered(example, fmt)
    os.environ["BOOTSTRAPPER_NO_CACHE"] = "1"
    try:
        assert validate.check(text, fmt) == []
    finally:
        del os.environ["BOOTSTRAPPER_NO_CACHE"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_debian_cloud_init_schema_accepts_examples(example, tmp_path):
    if not shutil.which("cloud-init"):
        pytest.skip("Debian's cloud-init is not installed (./dev test installs it)")
    target = tmp_path / "user-data.yaml"
    target.write_text(rendered(example, "cloud-config"))
    result = subprocess.run(["cloud-init", "schema", "-c", str(target)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid cloud-config" in result.stdout


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_shell_examples_are_shellcheck_and_dash_clean(example, tmp_path):
    text = rendered(example, "shell")
    target = tmp_path / "user-data.sh"
    target.write_text(text)
    assert_posix_sh(target)
    scripts = [c for c in installed(text).values() if c.startswith("#!")]
    assert HELPER_PATH in installed(text) and scripts
    for script in scripts:  # the installed helper (decoded) and first-boot, too
        inner = tmp_path / "inner.sh"
        inner.write_text(script)
        assert_posix_sh(inner)


def test_cloud_config_carries_the_same_helper_as_shell():
    """One script source: the helper in write_files is byte-identical to the heredoc one."""
    text = rendered(EXAMPLES[0], "cloud-config")
    cc = yaml.safe_load(text)
    assert helper_of(text) == helper_of(rendered(EXAMPLES[0], "shell"))
    assert cc["runcmd"] == [["/bin/sh", "/var/lib/bootstrapper/first-boot.sh"]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_deterministic_across_processes_timezones_and_locales(fmt, tmp_path):
    outputs = set()
    for env in ({"TZ": "UTC", "LC_ALL": "C"}, {"TZ": "Asia/Kolkata", "LC_ALL": "C.UTF-8"},
                {"TZ": "America/St_Johns", "LANG": "de_DE.UTF-8", "PYTHONHASHSEED": "7"}):
        result = run_cli("render", str(EXAMPLES[0]), "--format", fmt,
                         env={**env, "BOOTSTRAPPER_NO_CACHE": "1"})
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_render_refuses_invalid_output(tmp_path):
    """A template whose output fails validation is refused with the finding (exit 1)."""
    bad = tmp_path / "bad.yaml.j2"
    bad.write_text("#cloud-config\nruncmd: 5\n")
    result = run_cli("render", "--template", str(bad))
    assert result.returncode == 1 and result.stdout == ""
    assert "schema" in result.stderr and "runcmd" in result.stderr


def test_lockdown_sections_only_when_asked():
    plain = render.render(profile.from_mapping({"format": "shell"})).text
    locked = render.render(profile.from_mapping({"format": "shell", "lockdown": True})).text
    assert "lockdown_nft" not in helper_of(plain) and "lockdown_nft" in helper_of(locked)
    assert "bootstrapper-lockdown.service" in locked


def test_every_request_in_the_helper_sends_the_token_header():
    """Static guard for the boot script: the only HTTP calls go through http_curl/http_wget,
    which always pass the header file; the header file starts as the TTL header for the PUT."""
    text = helper.source()
    assert text.count("curl -q") == 1 and '-H @"$WORK/headers"' in text
    assert text.count("wget --config") == 1
    # Every request goes through `request`, with one of two paths: the token PUT, and the
    # GETs of `get`, which (after a 401) fetch a new token first.
    assert set(re.findall(r'\brequest (PUT|GET) "?([^"\s]+)', text)) == \
        {("PUT", "/latest/api/token"), ("GET", "/latest/$1")}
    assert len(re.findall(r"\$\(request ", text)) == 3  # those three calls, no other


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lockdown", [False, True])
@pytest.mark.parametrize("refresh", [False, True])
@pytest.mark.parametrize("extras", [{}, {"credential_process_file": "/run/b/p.json",
                                          "service": "web", "role": "r"}])
def test_every_feature_combination_validates(fmt, lockdown, refresh, extras):
    """Sections of the helper come and go with the profile: each mix must stay clean."""
    data = {"format": fmt, "lockdown": lockdown, "refresh": refresh, **extras}
    if lockdown:
        data["allow_user"] = ["app"]
    build.build(profile.from_mapping(data))  # raises RefusedError on any finding


# --- issue 18: the lockdown's reach and its first-boot window ---------------------------


def test_a_shell_lockdown_says_on_stderr_that_it_comes_late():
    """A plain shell user-data runs in the final stage, after the image's services: the
    user learns it at render time, in one line, with the format to use instead."""
    done = run_cli("render", "--format", "shell", "--lockdown",
                   env={"BOOTSTRAPPER_NO_CACHE": "1"})
    assert done.returncode == 0 and done.stdout.startswith("#!/bin/sh")
    lines = [line for line in done.stderr.splitlines() if "final stage" in line]
    assert len(lines) == 1 and "--format cloud-config" in lines[0], done.stderr
    for argv in (("--format", "cloud-config", "--lockdown"), ("--format", "shell")):
        assert "final stage" not in run_cli("render", *argv).stderr


def test_cloud_config_locks_down_in_the_init_stage():
    """bootcmd (init stage, before sysinit.target) runs the lockdown of the helper this very
    user-data installs, from cloud-init's stored copy: write_files has not run yet."""
    p = profile.from_mapping({"lockdown": True})
    document = yaml.safe_load(build.build(p).raw)
    assert len(document["bootcmd"]) == 1
    command = document["bootcmd"][0]
    assert "/var/lib/cloud/instance/cloud-config.txt" in command
    # never fatal (the final stage fails closed), never silent in cloud-init's log
    assert command.endswith('|sh -s lockdown || echo "bootstrapper early lockdown failed, '
                            'the final stage applies it or fails" >&2')
    assert "bootcmd" not in yaml.safe_load(build.build(profile.from_mapping({})).raw)


@pytest.mark.parametrize("forwarded", [False, True])
def test_forwarded_traffic_to_imds_is_rejected_unless_opted_out(forwarded):
    p = profile.from_mapping({"format": "shell", "lockdown": True,
                              "allow_forwarded_imds": forwarded})
    script = helper_of(build.build(p).raw.decode())
    assert f"ALLOW_FORWARDED='{int(forwarded)}'" in script  # read by both backends:
    assert 'if [ "$ALLOW_FORWARDED" = 1 ]; then forward=; fi' in script
    assert '[ "${hook%%:*}" = FORWARD ] && [ "$ALLOW_FORWARDED" = 1 ]; then continue' in script


def test_the_credentials_unit_does_not_ignore_a_failed_lockdown():
    text = build.build(profile.from_mapping({"format": "shell", "lockdown": True})).raw
    assert b"ExecStartPre=/usr/local/sbin/bootstrapper-imds lockdown" in text
    assert b"ExecStartPre=-" not in text


def test_launch_template_keeps_hop_limit_1_with_lockdown_unless_containers_are_meant_in():
    from bootstrapper import launch_template
    from bootstrapper.errors import ProfileError

    def check(data):
        profile.check(profile.from_mapping(data, finish=False),
                      profile.Origin(command="launch-template"))

    locked = {"lockdown": True, "hop_limit": 2}
    with pytest.raises(ProfileError, match="--allow-forwarded-imds"):
        check(locked)
    check(locked | {"allow_forwarded_imds": True})
    options = launch_template.metadata_options(profile.from_mapping({"lockdown": True}))
    assert options["HttpPutResponseHopLimit"] == 1 and options["HttpTokens"] == "required"



def test_size_is_judged_on_what_ec2_receives_after_gzip(tmp_path):
    """The size limit is EC2's, on the bytes it receives: a text over 16 KB that --gzip
    brings under it renders. (Render's validation through lint's rules refused it on the
    raw text, while its own message said gzip would make it fit.)"""
    template = tmp_path / "big.yaml.j2"
    lines = "".join(f"echo step {i} of the setup of the app\n" for i in range(400))
    template.write_text('{% extends "cloud-config.yaml.j2" %}\n'
                        "{% block after_credentials %}" + lines + "{% endblock %}\n")
    data = {"template": str(template), "lockdown": True}
    with pytest.raises(RefusedError, match="gzip"):
        build.build(profile.from_mapping(data))
    built = build.build(profile.from_mapping(data | {"gzip": True}))
    assert len(built.raw) > 16384 > len(built.user_data)


def test_the_service_name_is_never_read_as_an_option():
    """`--` before the unit name: render refuses names starting with `-`, and the command
    line would still not take one for an option (issue 18 item 9)."""
    text = build.build(profile.from_mapping({"format": "shell", "service": "web"})).raw.decode()
    assert "systemctl restart --no-block -- 'web.service'" in text
