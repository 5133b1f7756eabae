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
                              "var": ["k=v"], "format": "mime"})
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


# --- the rule book: one rule, one error, whichever way the options came (issue 16) ------

import json  # noqa: E402

from support import run_cli  # noqa: E402

from bootstrapper.terraform import in_query_words  # noqa: E402

# rule id → (command, options that break it). Every rule in profile.RULES has a row.
RULE_CASES = {
    "custom-endpoint": ("render", {"imds_endpoint": "http://evil.example"}),
    "allow-users-need-lockdown": ("render", {"allow_users": ["app"]}),
    "allow-forwarded-imds-needs-lockdown": ("render", {"allow_forwarded_imds": True}),
    "aws-config-needs-credential-process": ("render", {"aws_config_file": "/run/c"}),
    "root-is-always-allowed": ("render", {"lockdown": True, "allow_users": ["root"]}),
    "different-files": ("render", {"env_file": "/run/a", "credential_process_file": "/run/a"}),
    "install-missing-needs-cloud-config": ("render", {"format": "shell",
                                                      "install_missing": True}),
    "parts-need-mime": ("render", {"parts": ["/nonexistent/a.yaml"]}),
    "part-spec": ("render", {"format": "mime", "parts": ["/nonexistent/a.yaml:merge=bogus"]}),
    "launch-template-encodes-once": ("launch-template", {"base64": True}),
    "hop-limit-with-lockdown": ("launch-template", {"lockdown": True, "hop_limit": 2}),
}


def test_every_rule_has_a_case():
    assert set(RULE_CASES) == {rule.id for rule in profile.RULES}


def _argv(options: dict) -> list[str]:
    argv = []
    for name, value in options.items():
        option = profile.FIELD_BY_KEY[name].option
        if value is True:
            argv.append(option)
        else:
            for item in value if isinstance(value, list) else [value]:
                argv += [option, str(item)]
    return argv


def _query_value(value) -> str:
    return "true" if value is True else ",".join(value) if isinstance(value, list) else str(value)


def _rule(rule_id: str) -> profile.Rule:
    return next(rule for rule in profile.RULES if rule.id == rule_id)


@pytest.mark.parametrize("rule_id", RULE_CASES)
def test_a_rule_fires_alike_from_the_command_line_a_profile_and_a_query(rule_id, tmp_path):
    command, options = RULE_CASES[rule_id]
    rule = _rule(rule_id)
    message = rule.broken(profile.from_mapping(options, finish=False))
    assert message, "the case breaks its rule"
    field = profile.FIELD_BY_KEY[rule.field]

    from_cli = run_cli(command, *_argv(options), cwd=tmp_path)
    assert (from_cli.returncode, from_cli.stdout) == (2, "")
    assert from_cli.stderr == f"bootstrapper: error: {field.option}: {message}\n"

    (tmp_path / "p.yaml").write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in options.items()))
    line = list(options).index(rule.field) + 1
    from_file = run_cli(command, "p.yaml", cwd=tmp_path)
    assert (from_file.returncode, from_file.stdout) == (2, "")
    assert from_file.stderr == (f"bootstrapper: error: p.yaml:{line}: {rule.field}: "
                                f"{profile.reword(message, '{name}: {value}')}\n")

    query = json.dumps({k: _query_value(v) for k, v in options.items()})
    from_query = run_cli("terraform", stdin=query, cwd=tmp_path)
    assert (from_query.returncode, from_query.stdout) == (2, "")
    if "terraform" in rule.commands:
        expected = f"{rule.field}: {in_query_words(message)}"
    else:  # a launch-template option: the query cannot set it, and says so
        refused = next(k for k in options if k in profile.NOT_QUERY_KEYS)
        expected = f"{refused}: is not a query key: {profile.NOT_QUERY_KEYS[refused]}"
    assert from_query.stderr == f"bootstrapper terraform: error: {expected}\n"


@pytest.mark.parametrize("args,line", [
    ([], "p.yaml:1: allow_users: only means something with lockdown: add lockdown: true or "
         "drop allow_users"),
    (["--no-lockdown"], "p.yaml:1: allow_users: only means something with lockdown: add "
                        "--lockdown or drop allow_users"),
    (["--allow-user", "b"], "--allow-user: only means something with lockdown: add "
                            "--lockdown or drop --allow-user"),
])
def test_a_rule_speaks_the_words_each_option_was_given_in(tmp_path, args, line):
    (tmp_path / "p.yaml").write_text("allow_users: [a]\n")
    result = run_cli("render", "p.yaml", *args, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, f"bootstrapper: error: {line}\n")


@pytest.mark.parametrize("key", profile.NOT_QUERY_KEYS)
def test_the_query_refuses_what_it_cannot_set_and_says_why(key):
    value = {"hop_limit": "1", "iam_instance_profile": "web", "output": "/tmp/x"}.get(key, "true")
    with pytest.raises(ProfileError) as err:
        profile.from_query({key: value})
    assert str(err.value) == f"{key}: is not a query key: {profile.NOT_QUERY_KEYS[key]}"


def test_the_query_names_a_field_by_the_key_it_used():
    with pytest.raises(ProfileError) as err:
        profile.from_query({"allow_user": "app"})
    assert str(err.value).startswith("allow_user: only means something with lockdown")


def test_no_module_but_profile_reads_a_field_kind():
    """cli, fastpath, terraform and reference ask `Field.spec` (a Kind), never the kind's
    name (by the package's convention a Field is bound to `f` or `field`)."""
    import pathlib
    import re

    package = pathlib.Path(profile.__file__).parent
    readers = sorted(p.name for p in package.rglob("*.py") if p.name != "profile.py"
                     and re.search(r"\b(f|field)\.kind\b", p.read_text()))
    assert readers == []


def test_rules_are_checked_before_anything_is_rendered(tmp_path):
    """A template that would be refused (exit 1) is never rendered when the options do not
    combine: the rule's error (exit 2) comes first, as with --part without --format mime,
    which used to be found only after rendering and validating."""
    (tmp_path / "t.sh.j2").write_text('{% extends "user-data.sh.j2" %}'
                                      "{% block after_credentials %}\nif then fi\n{% endblock %}\n")
    result = run_cli("render", "--template", "t.sh.j2", "--part", "/nonexistent/a.sh",
                     cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("bootstrapper: error: --part: need --format mime")
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
