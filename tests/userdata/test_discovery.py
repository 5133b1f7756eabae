"""lint DIR finds user-data where it lives (issue 17): by name and place, by content (also
a cloud-config missing its header), through Terraform's templatefile()/file() and the files
a CloudFormation UserData takes its text from (rain's !Rain::Embed, cfn-include's
Fn::Include, Serverless' ${file()}), and inline in .tf heredocs and templates with findings
at their lines. The fixture tree is hand-written; it is the repository (settings root)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bootstrapper.lint import lint_paths, settings_for

TREE = Path(__file__).parent / "fixtures" / "tfrepo"


def _settings():
    return replace(settings_for(use_config=False), root=str(TREE))


def _found(*paths: Path) -> set[tuple[str, int, str]]:
    report = lint_paths([str(p) for p in paths or (TREE,)], _settings())
    return {(Path(f.name).relative_to(TREE).as_posix(), p.line, p.rule)
            for f in report.files for p in f.problems if p.severity == "error"
            or p.rule in ("shellcheck", "imdsv1")}


def test_every_planted_problem_is_found_at_its_file_and_line():
    found = _found()
    planted = {
        ("modules/web/scripts/start-web.sh", 3, "imdsv1"),  # via templatefile() in main.tf
        ("envs/prod/init.sh", 2, "imdsv1"),  # via a module's user_data = file()
        ("envs/prod/main.tf", 11, "secret-in-log"),  # an inline heredoc, at the .tf line
        ("cfn/bootstrap.sh", 2, "shellcheck"),  # by name: bootstrap*
        ("config/web.yaml", 0, "unknown-format"),
        ("cfn/stack.yaml", 19, "imdsv1"),  # Fn::Base64: !Sub | in a launch template
        ("cfn/stack.yaml", 16, "metadata-options"),  # ... whose HttpTokens is optional
        ("cfn/stack.yaml", 30, "imdsv1"),  # an Fn::Join list, one quoted line each
        ("envs/prod/init.sh", 1, "metadata-options"),  # launch template "legacy": optional  # a cloud-config without its header (whole file)
        ("cfn/scripts/start-app.sh", 5, "imdsv1"),  # Fn::Include'd by included.json only
    }
    assert planted <= found, planted - found


def test_inline_findings_keep_the_template_column():
    report = lint_paths([str(TREE / "cfn" / "stack.yaml")], settings_for(use_config=False))
    cd = [p for f in report.files for p in f.problems if "SC2164" in p.message]
    assert [(p.line, p.column) for p in cd] == [(29, 16)]  # `cd` in `- "cd /opt/app\n"`


def test_a_template_named_on_the_command_line_gives_its_user_data_not_itself():
    report = lint_paths([str(TREE / "envs" / "prod" / "main.tf")],
                        settings_for(use_config=False))
    assert {Path(f.name).name for f in report.files} == {"main.tf", "init.sh"}
    assert not any(p.rule == "unknown-format" for f in report.files for p in f.problems)


def test_verbose_lists_every_file_considered_with_the_reason(tmp_path):
    from support import run_cli

    (tmp_path / "deploy.sh").write_text("#!/bin/sh\necho hi\n")
    (tmp_path / "bootstrap.sh").write_text("#!/bin/sh\necho hi\n")
    (tmp_path / ".cache").mkdir()
    result = run_cli("lint", "--no-config", "--verbose", str(tmp_path))
    said = dict(line.split(": ", 1) for line in result.stderr.splitlines())
    assert said[str(tmp_path / "deploy.sh")].startswith("skipped: not named")
    assert said[str(tmp_path / "bootstrap.sh")] == "linted: named like user-data"
    assert said[str(tmp_path / ".cache")] == "skipped: a hidden directory"


def test_files_a_cloudformation_userdata_takes_its_text_from_are_linted_at_their_lines():
    """Named on the command line, a template gives the files it embeds (YAML: rain's
    !Rain::Embed under Fn::Sub; JSON: cfn-include's Fn::Include type string), each
    carried by its resource (HttpTokens optional: metadata-options at line 1)."""
    found = _found(TREE / "cfn" / "embedded.yaml", TREE / "cfn" / "included.json")
    assert {("cfn/scripts/bootstrap.sh", 5, "imdsv1"),
            ("cfn/scripts/bootstrap.sh", 1, "metadata-options"),
            ("cfn/scripts/start-app.sh", 5, "imdsv1")} <= found, found
    # ${AWS::StackName} is a placeholder Fn::Sub fills in, not an unset variable
    assert not any(name == "cfn/scripts/bootstrap.sh" and rule == "shellcheck"
                   for name, _, rule in found), found


def test_a_reference_that_cannot_be_followed_is_one_finding_at_its_line():
    """A missing file (the tool that fills it in fails) is an error; a path out of the
    repository is not followed (a warning). One line each, no traceback."""
    from support import run_cli

    result = run_cli("lint", "--no-config", "cfn/embedded.yaml", "cfn/included.json",
                     cwd=TREE)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stdout.splitlines() if "unknown-format" in line]
    assert len(lines) == 3, result.stdout
    assert lines[0].startswith("cfn/embedded.yaml:17:22: unknown-format: UserData of Missing")
    assert "'scripts/missing.sh' (Rain::Embed), which does not exist" in lines[0]
    assert lines[0].endswith("[error]")
    assert lines[1].startswith("cfn/embedded.yaml:22:21: unknown-format: UserData of Outside")
    assert "outside the repository" in lines[1] and lines[1].endswith("[warning]")
    assert lines[2].startswith("cfn/included.json:20:83: unknown-format: UserData of Gone")
    assert result.returncode == 1


def test_pre_commit_lints_a_changed_script_a_template_embeds(tmp_path):
    """pre-commit names only the changed file: a template near it that embeds it makes it
    user-data, though its name says nothing."""
    from support import run_cli

    result = run_cli("lint", "--no-config", "--only-user-data", "-v",
                     "cfn/scripts/start-app.sh", cwd=TREE)
    assert "cfn/scripts/start-app.sh:5: imdsv1" in result.stdout, result.stdout + result.stderr
    assert "through Fn::Include type string (" in result.stderr
    assert "cfn/included.json:11)" in result.stderr


def test_serverless_file_variables_are_followed(tmp_path):
    """serverless.yml keeps CloudFormation under `resources:`; `${file(./boot.sh)}` is the
    script's text. `${file(./data.yml)}` is YAML data, not a script: neither followed nor
    linted as text."""
    (tmp_path / "serverless.yml").write_text(
        "service: app\nprovider:\n  name: aws\nresources:\n  Resources:\n    Box:\n"
        "      Type: AWS::EC2::Instance\n      Properties:\n        UserData:\n"
        "          Fn::Base64: ${file(./boot.sh)}\n    Other:\n"
        "      Type: AWS::EC2::Instance\n      Properties:\n"
        "        UserData: ${file(./data.yml)}\n")
    (tmp_path / "boot.sh").write_text("#!/bin/sh\ncurl -s http://169.254.169.254/latest/"
                                      "meta-data/instance-id\n")
    report = lint_paths([str(tmp_path)], replace(settings_for(use_config=False),
                                                 root=str(tmp_path)))
    found = {(Path(f.name).name, p.line, p.rule) for f in report.files for p in f.problems
             if p.severity == "error"}
    assert found == {("boot.sh", 2, "imdsv1")}, found


@pytest.mark.parametrize("ref", ["~no-such-user-here/boot.sh", "a\\0b.sh", "loop"])
def test_a_path_that_cannot_be_resolved_is_one_finding_not_a_traceback(tmp_path, ref):
    from support import run_cli

    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "stack.yaml").write_text("Resources:\n  A:\n    Type: AWS::EC2::Instance\n"
                                         f'    Properties:\n      UserData: !Rain::Embed "{ref}"\n')
    result = run_cli("lint", "--no-config", "stack.yaml", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    assert [line for line in result.stdout.splitlines() if "unknown-format" in line] == [
        line for line in result.stdout.splitlines() if line.startswith("stack.yaml:5:")], \
        result.stdout
    assert "cannot be resolved" in result.stdout
