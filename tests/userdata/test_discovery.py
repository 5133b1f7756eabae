"""lint DIR finds user-data where it lives (issue 17): by name and place, by content (also
a cloud-config missing its header), through Terraform's templatefile()/file(), and inline in
.tf heredocs with findings at the .tf line. The fixture tree is hand-written."""

from __future__ import annotations

from pathlib import Path

from bootstrapper.lint import lint_paths, settings_for

TREE = Path(__file__).parent / "fixtures" / "tfrepo"


def _found() -> set[tuple[str, int, str]]:
    report = lint_paths([str(TREE)], settings_for(use_config=False))
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
