"""Profile validation: every bad value is one clear line naming the field, exit 2."""

from __future__ import annotations

import pytest

from bootstrapper import profile
from bootstrapper.errors import ProfileError


def test_defaults_are_the_documented_ones():
    p = profile.from_mapping({})
    assert (p.format, p.role, p.app_user, p.env_file, p.refresh, p.lockdown) == \
        ("cloud-config", None, "root", "/run/bootstrapper/credentials.env", True, False)


@pytest.mark.parametrize("data,field,fragment", [
    ({"role": "bad role"}, "role", "IAM role name"),
    ({"role": "x" * 65}, "role", "IAM role name"),
    ({"role": "r;rm -rf /"}, "role", "IAM role name"),
    ({"env_file": "relative/path"}, "env_file", "absolute"),
    ({"env_file": "/run/../etc/shadow"}, "env_file", "'..'"),
    ({"env_file": "/run/a b"}, "env_file", "absolute"),
    ({"env_file": "/run/x\nmore"}, "env_file", "absolute"),
    ({"env_file": "/run/dir/"}, "env_file", "absolute"),
    ({"app_user": "Robert'); DROP"}, "app_user", "user name"),
    ({"app_user": "9lives"}, "app_user", "user name"),
    ({"allow_user": ["ok", "no way"], "lockdown": True}, "allow_users", "user name"),
    ({"allow_user": ["app"]}, "allow_users", "lockdown"),
    ({"imds_endpoint": "http://evil.example"}, "imds_endpoint", "allow-custom-endpoint"),
    ({"imds_endpoint": "ftp://x"}, "imds_endpoint", "must be"),
    ({"format": "yml"}, "format", "one of"),
    ({"token_ttl": 0}, "token_ttl", "between 1 and 21600"),
    ({"token_ttl": "lots"}, "token_ttl", "whole number"),
    ({"lockdown": "yes"}, "lockdown", "true or false"),
    ({"vars": {"1bad": "x"}}, "vars.1bad", "variable name"),
    ({"vars": {"ok": ["list"]}}, "vars.ok", "string"),
    ({"env_file": "/run/a", "credential_process_file": "/run/a"}, "env_file", "different"),
    ({"aws_config_file": "/run/c"}, "aws_config_file", "credential_process_file"),
])
def test_bad_values_name_the_field(data, field, fragment):
    with pytest.raises(ProfileError) as info:
        profile.from_mapping(data)
    assert info.value.field == field
    assert fragment in str(info.value)
    assert "\n" not in str(info.value).strip()


def test_unknown_key_suggests_the_closest():
    with pytest.raises(ProfileError, match="did you mean 'app_user'"):
        profile.from_mapping({"app_usr": "x"})


def test_aliases_follow_the_cli_flag_names():
    p = profile.from_mapping({"allow_user": "app", "lockdown": True, "part": ["a.yaml"],
                              "var": ["k=v"]})
    assert (p.allow_users, p.parts, p.vars) == (("app",), ("a.yaml",), {"k": "v"})


def test_query_values_are_strings():
    p = profile.from_query({"lockdown": "true", "allow_users": "a, b", "token_ttl": "60",
                            "vars": '{"k": "v"}'})
    assert (p.lockdown, p.allow_users, p.token_ttl, p.vars) == (True, ("a", "b"), 60, {"k": "v"})
    with pytest.raises(ProfileError, match="must be a string"):
        profile.from_query({"lockdown": True})
    with pytest.raises(ProfileError, match="JSON-encoded object"):
        profile.from_query({"vars": "{nope"})


def test_ipv6_endpoint_and_service_suffix():
    p = profile.from_mapping({"imds_endpoint": "http://[fd00:ec2::254]/", "service": "web"})
    assert (p.imds_endpoint, p.service) == ("http://[fd00:ec2::254]", "web.service")


# --- values dropped silently before (issue 15) -----------------------------------------


@pytest.mark.parametrize("data,key,other", [
    ({"allow_user": ["a"], "allow_users": ["b"], "lockdown": True}, "allow_users", "allow_user"),
    ({"part": "a.yaml", "parts": ["b.yaml"]}, "parts", "part"),
    ({"vars": {"a": "1"}, "var": {"b": "2"}}, "var", "vars"),
])
def test_one_option_under_two_spellings_is_refused(data, key, other):
    with pytest.raises(ProfileError) as err:
        profile.from_mapping(data)
    assert str(err.value).startswith(f"{key}: is the same option as {other!r}")


def test_one_option_under_two_spellings_is_refused_in_a_terraform_query():
    with pytest.raises(ProfileError, match="same option"):
        profile.from_query({"allow_user": "a", "allow_users": "b", "lockdown": "true"})

# --- issue 18: paths and values an attacker could use ------------------------------------


@pytest.mark.parametrize("key", ["env_file", "credential_process_file", "aws_config_file"])
@pytest.mark.parametrize("path,fragment", [
    ("/home/app/.aws/process.json", "must not be under /home"),
    ("/tmp/app.env", "must not be under /tmp"),
    ("/var/tmp/app.env", "must not be under /var/tmp"),
    ("/dev/shm/app.env", "must not be under /dev/shm"),
    ("/run/./app.env", "'.' or '..' components"),
    ("/run/../app.env", "'.' or '..' components"),
])
def test_credential_paths_others_can_write_are_refused(key, path, fragment):
    """Old code rendered all of these: /home/app let the app user swap directories under
    the helper and become root; a sticky /tmp let uid 65534 plant the env file."""
    data = {key: path, "credential_process_file": "/etc/app/process.json"}
    if key == "credential_process_file":
        data = {key: path}
    with pytest.raises(ProfileError) as err:
        profile.from_mapping(data)
    assert err.value.field == key and fragment in str(err.value)


def test_paths_that_only_look_similar_are_accepted():
    p = profile.from_mapping({"env_file": "/homestead/app.env",
                              "credential_process_file": "/var/tmpfiles/p.json"})
    assert p.env_file == "/homestead/app.env"


@pytest.mark.parametrize("service", ["-o", "--help", "-.service"])
def test_service_starting_with_a_dash_is_refused(service):
    """Old code: `--service -o` became `systemctl restart '-o.service'`, an option."""
    with pytest.raises(ProfileError) as err:
        profile.from_mapping({"service": service})
    assert err.value.field == "service" and "not starting with '-'" in str(err.value)


def test_allow_forwarded_imds_needs_lockdown():
    with pytest.raises(ProfileError) as err:
        profile.from_mapping({"allow_forwarded_imds": True})
    assert err.value.field == "allow_forwarded_imds"
    assert profile.from_mapping({"allow_forwarded_imds": "true",
                                 "lockdown": True}).allow_forwarded_imds is True
