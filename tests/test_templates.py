"""Your own templates (issue 10): the errors a template author meets, and the catalogue.

Every error: its exit code, one line naming the template file and line and what to do, no
traceback, nothing on stdout.
"""

from __future__ import annotations

import pytest
from support import ROOT, assert_clean_error, run_cli, user_template

from bootstrapper import catalog

TEMPLATES = ROOT / "templates"




@pytest.mark.parametrize("entry", ["cloud-config.yaml.j2", "user-data.sh.j2"])
@pytest.mark.parametrize("use,names", [
    ("{{ vars.nope | sh }}", ("vars.nope", "--var nope=VALUE")),
    ("{{ vars.nope | yaml }}", ("vars.nope", "--var nope=VALUE")),
    ("{{ vars.nope }}", ("vars.nope",)),
    ("{{ nope | sh }}", ("undefined variable: nope",)),
    ("{{ profile.nope | sh }}", ("profile.nope",)),
])
def test_undefined_variable_names_it_the_file_and_the_line(tmp_path, entry, use, names):
    template = user_template(tmp_path, f"echo {use}", entry)
    result = run_cli("render", "--template", template)
    assert_clean_error(result, 2, f"{template}:2: undefined variable", *names)


def test_a_defined_variable_renders(tmp_path):
    """The check above is about the missing name, not about vars as such."""
    template = user_template(tmp_path, "echo {{ vars.greeting | sh }}")
    result = run_cli("render", "--template", template, "--var", "greeting=hello world")
    assert result.returncode == 0, result.stderr
    assert "echo 'hello world'" in result.stdout


@pytest.mark.parametrize("body,line", [
    ("{% if %}", 2),
    ("{{ vars.a | sh }\n", 2),
    ("echo ok\n{% endfor %}", 3),
])
def test_syntax_error_names_the_file_and_the_line(tmp_path, body, line):
    template = user_template(tmp_path, body)
    result = run_cli("render", "--template", template)
    assert_clean_error(result, 2, f"{template}:{line}: template syntax error")


def test_syntax_error_in_an_overridden_partial_names_the_partial(tmp_path):
    (tmp_path / "partials").mkdir()
    partial = tmp_path / "partials" / "bootstrapper-credentials.timer.j2"
    partial.write_text("[Timer]\nOnBootSec={{ 5min }}\n")
    result = run_cli("render", "--template-dir", str(tmp_path))
    assert_clean_error(result, 2, "bootstrapper-credentials.timer.j2:2: template syntax error")


@pytest.mark.parametrize("block,body,finding", [
    ("after_credentials", "echo ok\necho $1", "SC2086"),  # shellcheck, in the user's line
    ("cloud_config", "\nruncmd: [unclosed", "yaml-syntax"),
    ("cloud_config", "\nbootcmd: 5", "schema"),
])
def test_output_that_fails_validation_exits_1_with_the_template_line(tmp_path, block, body,
                                                                     finding):
    template = user_template(tmp_path, body, block=block)
    line = assert_clean_error(run_cli("render", "--template", template), 1, finding)
    if finding == "SC2086":
        assert line.endswith(f"[from {template}:3]"), "the template line that produced it"


def test_shell_template_finding_points_at_its_line(tmp_path):
    template = user_template(tmp_path, "x=1\necho $x $2", "user-data.sh.j2")
    line = assert_clean_error(run_cli("render", "--template", template), 1, "SC2086")
    assert f"{template}:3" in line


def test_unknown_template_and_template_dir(tmp_path):
    result = run_cli("render", "--template", str(tmp_path / "missing.j2"))
    assert_clean_error(result, 2, "missing.j2")
    template = tmp_path / "t.j2"
    template.write_text('{% extends "no-such-entry.j2" %}')
    assert_clean_error(run_cli("render", "--template", str(template)), 2,
                          "template not found: no-such-entry.j2")


# --- templates list / show -----------------------------------------------------------------


def builtin_names() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*")
                  if p.suffix in (".j2", ".sh"))  # .sh: the static helper


def test_list_names_every_builtin_with_what_it_is_and_its_blocks():
    result = run_cli("templates", "list")
    assert result.returncode == 0, result.stderr
    listed = [line for line in result.stdout.splitlines() if line and not line[0].isspace()]
    assert listed[:2] == ["cloud-config.yaml.j2", "user-data.sh.j2"]  # entries first
    assert sorted(listed) == builtin_names()
    for name in builtin_names():
        info = catalog.info(name)
        assert info.description, f"{name} has no leading {{#- ... -#}} description"
        section = result.stdout.split(name + "\n", 1)[1].split("\n", 1)[0]
        assert section.strip() == info.description
    entries = {"cloud-config.yaml.j2": {"before_credentials", "after_credentials",
                                        "cloud_config", "write_files"},
               "user-data.sh.j2": {"before_credentials", "after_credentials"}}
    for name, blocks in entries.items():
        block_line = result.stdout.split(name + "\n", 1)[1].splitlines()[1]
        assert set(block_line.split("blocks:", 1)[1].replace(",", " ").split()) == blocks


def test_list_blocks_are_the_templates_own():
    """The listed blocks are those the file really defines (a block renamed in the
    template shows up here)."""
    for name in ("cloud-config.yaml.j2", "user-data.sh.j2"):
        text = (TEMPLATES / name).read_text()
        for block in catalog.info(name).blocks:
            assert f"{{% block {block} %}}" in text or f"{{%- block {block} %}}" in text


@pytest.mark.parametrize("name", builtin_names())
def test_show_prints_the_template_source(name):
    result = run_cli("templates", "show", name)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (TEMPLATES / name).read_text()


def test_show_unknown_name_says_where_to_look():
    result = run_cli("templates", "show", "nope.j2")
    assert_clean_error(result, 2, "no built-in template named 'nope.j2'",
                          "bootstrapper templates list")


# --- mistakes that used to render the default silently (issue 15) ----------------------


@pytest.mark.parametrize("entry,block,names", [
    ("cloud-config.yaml.j2", "after_credential", ("'after_credential'",
                                                  "did you mean 'after_credentials'")),
    ("user-data.sh.j2", "cloud_config", ("'cloud_config'", "user-data.sh.j2")),
    ("user-data.sh.j2", "write_files", ("'write_files'", "before_credentials")),
])
def test_a_block_the_parent_does_not_define_is_an_error(tmp_path, entry, block, names):
    template = user_template(tmp_path, "echo hi", entry, block)
    result = run_cli("render", "--template", template)
    assert_clean_error(result, 2, f"{template}:1: block", "would be ignored", *names)


def test_a_block_nested_in_an_overridden_block_is_the_templates_own(tmp_path):
    template = user_template(tmp_path, "{% block mine %}echo hi{% endblock %}")
    result = run_cli("render", "--template", template)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("entry,option,names", [
    ("cloud-config.yaml.j2", "--format=shell", ("--format shell", "renders cloud-config")),
    ("user-data.sh.j2", "--install-missing", ("--install-missing", "shell script")),
])
def test_an_option_the_template_cannot_honour_is_an_error(tmp_path, entry, option, names):
    template = user_template(tmp_path, "echo hi", entry)
    result = run_cli("render", "--template", template, option)
    assert_clean_error(result, 2, f"{template}:1:", f"extends {entry}", *names)


@pytest.mark.parametrize("entry,option", [("user-data.sh.j2", "--format=shell"),
                                          ("cloud-config.yaml.j2", "--install-missing"),
                                          ("cloud-config.yaml.j2", "--format=mime")])
def test_options_that_fit_the_template_render(tmp_path, entry, option):
    template = user_template(tmp_path, "echo hi", entry)
    result = run_cli("render", "--template", template, option)
    assert result.returncode == 0, result.stderr


def test_an_explicit_format_contradicting_the_template_is_an_error(tmp_path):
    """The default format says nothing; a format the user wrote (option, profile key or
    query key) must match the entry template the user's template extends."""
    import json

    template = user_template(tmp_path, "echo hi", "user-data.sh.j2")
    assert_clean_error(run_cli("render", "--template", template, "--format", "cloud-config"),
                       2, f"{template}:1: --format cloud-config", "extends user-data.sh.j2")
    (tmp_path / "p.yaml").write_text(f"format: cloud-config\ntemplate: {template}\n")
    assert_clean_error(run_cli("render", str(tmp_path / "p.yaml")), 2, "renders shell")
    query = json.dumps({"format": "cloud-config", "template": template})
    result = run_cli("terraform", stdin=query)
    assert result.returncode == 2 and 'format = "cloud-config", but' in result.stderr
    assert run_cli("render", "--template", template).returncode == 0  # the default: fine
