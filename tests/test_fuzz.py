"""Hostile strings in every free-text input: a clear ProfileError, or output that still parses
(YAML, dash -n) and carries the value only as one literal (issue 2, issue 10)."""

from __future__ import annotations

import subprocess

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from support import HELPER_PATH, hostile, installed

from bootstrapper import build, profile, quoting
from bootstrapper.errors import BootstrapperError, ProfileError

FIELDS = ["role", "app_user", "env_file", "credential_process_file", "aws_config_file",
          "service", "imds_endpoint", "allow_user"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parses(built: build.Built, fmt: str) -> str:
    """The user-data and every file it installs (decoded), each checked to parse."""
    text = built.raw.decode()
    if fmt == "cloud-config":
        document = yaml.safe_load(text)
        assert isinstance(document, dict) and document["runcmd"]
    else:
        assert subprocess.run(["dash", "-n"], input=text, text=True, check=False).returncode == 0
    files = installed(text)
    helper = files[HELPER_PATH]  # the profile's values reach the shell here
    assert subprocess.run(["dash", "-n"], input=helper, text=True, check=False).returncode == 0
    return "\n".join([text, *files.values()])


@pytest.mark.parametrize("fmt", ["cloud-config", "shell"])
@pytest.mark.parametrize("field", FIELDS)
@SETTINGS
@given(value=hostile)
def test_profile_fields(field, fmt, value):
    data = {"format": fmt, field: [value] if field == "allow_user" else value}
    if field == "allow_user":
        data["lockdown"] = True
    if field == "aws_config_file":
        data["credential_process_file"] = "/run/bootstrapper/process.json"
    try:
        p = profile.from_mapping(data)
    except ProfileError as err:
        # One line naming the field: the hostile value is echoed escaped, never raw.
        assert not set(str(err)) & {"\n", "\r", "\x00"}, str(err)
        assert err.field == profile.FIELD_BY_KEY[field].name, str(err)
        return
    scripts = parses(build.build(p), fmt)
    stored = getattr(p, profile.FIELD_BY_KEY[field].name)
    if isinstance(stored, str) and field != "service":
        assert quoting.sh(stored) in scripts  # reaches the script as one quoted word


TEMPLATES = {
    "shell": '{% extends "user-data.sh.j2" %}{% block after_credentials %}\n'
             'printf %s {{ vars.v | sh }} >/tmp/value\n{% endblock %}\n',
    "cloud-config": '{% extends "cloud-config.yaml.j2" %}{% block cloud_config %}\n'
                    'final_message: {{ vars.v | yaml }}\n{% endblock %}'
                    '{% block after_credentials %}\nprintf %s {{ vars.v | sh }} >/tmp/value\n'
                    '{% endblock %}\n',
}


@pytest.mark.parametrize("fmt", TEMPLATES)
@SETTINGS
@given(value=hostile)
def test_vars_through_both_filters(fmt, value, tmp_path_factory):
    template = tmp_path_factory.mktemp("t") / f"t.{fmt}.j2"
    template.write_text(TEMPLATES[fmt])
    if "\x00" in value:
        with pytest.raises(ProfileError, match="vars.v: must not contain a NUL"):
            profile.from_mapping({"template": str(template), "vars": {"v": value}})
        return
    try:
        built = build.build(profile.from_mapping({"template": str(template), "vars": {"v": value}}))
    except BootstrapperError as err:
        pytest.fail(f"hostile var refused: {err}")
    scripts = parses(built, fmt)
    assert f"printf %s {quoting.sh(value)} >/tmp/value" in scripts
    if fmt == "cloud-config":
        assert yaml.safe_load(built.raw)["final_message"] == value


# --- issue 18: vars taint through every built-in Jinja filter ------------------------------

def _builtin_filters() -> list[str]:
    from jinja2.filters import FILTERS

    return sorted(FILTERS)


# How a template might launder a vars value: each must still be refused unless the last
# step is | sh, | yaml or | raw.
SHAPES = {
    "filter": "{{{{ vars.v | {f} }}}}",
    "after-sh": "{{{{ vars.v | sh | {f} }}}}",
    "set": "{{% set x = vars.v | {f} %}}{{{{ x }}}}",
    "concat": '{{{{ (vars.v | {f}) ~ "" }}}}',
    "chain": '{{% set a = vars.v %}}{{% set b = [a] | {f} %}}{{{{ b }}}}',
    "loop": "{{% for k in vars | {f} %}}{{{{ k }}}}{{% endfor %}}",
    "filter-block": "{{% filter {f} %}}{{{{ vars.v | sh }}}}{{% endfilter %}}",
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("jinja_filter", _builtin_filters())
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(value=hostile)
def test_vars_taint_survives_every_builtin_filter(jinja_filter, shape, value, tmp_path):
    """Old code refused only a bare UserValue: `| lower`, `| trim`, `~ ""` or `| tojson`
    printed a --var value unquoted (a command ran at boot; render and lint said nothing)."""
    if "\x00" in value:
        return
    body = SHAPES[shape].format(f=jinja_filter)
    template = tmp_path / "t.sh.j2"
    template.write_text("#!/bin/sh\n: " + body + "\n")
    p = profile.from_mapping({"format": "shell", "template": str(template),
                              "vars": {"v": value}})
    with pytest.raises(BootstrapperError, match="vars value"):
        build.build(p)


@pytest.mark.parametrize("shape", ["{{ vars.v | sh }}", "{{ vars.v | yaml }}",
                                   "{{ vars.v | raw }}", "{{ (vars.v | lower) | sh }}",
                                   '{{ ("/x/" ~ vars.v) | sh }}',
                                   "{% set x = vars.v %}{{ x | sh }}",
                                   '{{ vars.v | sh if vars.v else "" }}'])
def test_quoting_as_the_last_step_is_accepted(shape, tmp_path):
    template = tmp_path / "t.sh.j2"
    template.write_text("#!/bin/sh\n: " + shape + "\n")
    built = build.build(profile.from_mapping({"format": "shell", "template": str(template),
                                              "vars": {"v": "ok"}}))
    assert b"ok" in built.raw


@SETTINGS
@given(value=hostile)
def test_yaml_scalars_are_inert_in_a_shell_line(value):
    """`| yaml` in a shell line gives a double-quoted word: dash must print it unexpanded
    (old code: `$(...)` in it ran)."""
    if "\x00" in value:
        return
    scalar = quoting.yaml_scalar(value)
    assert yaml.safe_load(scalar) == value
    done = subprocess.run(["dash", "-c", f"printf %s {scalar}"], capture_output=True,
                          text=True, check=False, timeout=10)
    assert done.returncode == 0 and done.stdout == scalar[1:-1]
