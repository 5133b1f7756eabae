"""One id per check: duplicate keys are `duplicate-key` (once under `yaml-syntax`) and unknown
top-level keys `unknown-key` (once under `schema`). What users wrote for the old ids before
the split (suppressions, baselines, settings) still covers the split-off check, so an upgrade
neither floods them with findings they had silenced nor fails on their settings."""

from __future__ import annotations

import json

import pytest

from bootstrapper.lint import lint_paths, settings_for, with_options
from bootstrapper.validate import RENDER_RULES
from lint_support import lint_text
from support import assert_clean_error, run_cli, user_template  # noqa: I001

DUPLICATE = "#cloud-config\nruncmd: [ls]\npackages: [jq]\nruncmd: [pwd]\n"
UNKNOWN = "#cloud-config\npackages: [jq]\nruncmds: [ls]\n"


def rules(problems) -> list[tuple[int, str, str]]:
    return [(p.line, p.rule, p.severity) for p in problems]


def test_a_duplicate_key_is_duplicate_key_not_yaml_syntax(tmp_path):
    [finding] = lint_text(tmp_path, DUPLICATE)
    assert (finding.line, finding.rule, finding.severity) == (4, "duplicate-key", "warning")
    assert finding.message == "duplicate key 'runcmd' (first on line 2): YAML keeps only this one"


def test_an_unknown_key_is_unknown_key_not_schema(tmp_path):
    [finding] = lint_text(tmp_path, UNKNOWN)
    assert (finding.line, finding.rule, finding.severity) == (3, "unknown-key", "warning")
    assert "did you mean 'runcmd'?" in finding.message


def test_a_key_of_another_release_is_unknown_key(tmp_path):
    [finding] = lint_text(tmp_path, "#cloud-config\nubuntu_pro:\n  token: x\n",
                          cloud_init_version="23.4")
    assert (finding.rule, finding.severity) == ("unknown-key", "warning")
    assert "from cloud-init 24.1 on" in finding.message


def test_an_unknown_key_without_the_header_is_unknown_key(tmp_path):
    found = lint_text(tmp_path, "packages: [jq]\nruncmds: [ls]\n", name="user-data.yaml")
    assert rules(found) == [(0, "unknown-format", "error"), (2, "unknown-key", "warning")]


def test_schema_errors_stay_schema(tmp_path):
    found = lint_text(tmp_path, "#cloud-config\npackages: jq\nruncmds: [ls]\n")
    assert rules(found) == [(2, "schema", "error"), (3, "unknown-key", "warning")]


@pytest.mark.parametrize("text, directive", [
    (UNKNOWN.replace("[ls]", "[ls]  # bootstrapper: disable=schema"), "schema, on the line"),
    ("#cloud-config\n# bootstrapper: disable-file=schema\npackages: [jq]\nruncmds: [ls]\n",
     "schema, the whole file"),
    (DUPLICATE.replace("[pwd]", "[pwd]  # bootstrapper: disable=yaml-syntax"), "yaml-syntax"),
    (UNKNOWN.replace("[ls]", "[ls]  # bootstrapper: disable=unknown-key"), "its own id"),
    (DUPLICATE.replace("[pwd]", "[pwd]  # bootstrapper: disable=duplicate-key"), "its own id"),
])
def test_a_suppression_of_the_old_id_still_covers_the_split_check(tmp_path, text, directive):
    assert lint_text(tmp_path, text) == [], directive


def test_the_old_id_still_covers_only_its_own_line(tmp_path):
    text = UNKNOWN.replace("[jq]", "[jq]  # bootstrapper: disable=schema")
    assert rules(lint_text(tmp_path, text)) == [(3, "unknown-key", "warning")]


def test_a_baseline_recorded_before_the_split_still_hides_the_finding(tmp_path):
    path = tmp_path / "user-data"
    path.write_text(UNKNOWN + "write_file: []\n")
    settings = with_options(settings_for(use_config=False), schema="builtin")
    [first, second] = lint_paths([str(path)], settings).files[0].problems
    old = tmp_path / "baseline.json"  # as 0.x wrote it: the finding under `schema`
    old.write_text(json.dumps({"files": [{"path": str(path), "format": "cloud-config",
                                          "findings": [{"rule": "schema", "severity": "warning",
                                                        "line": first.line, "column": 1,
                                                        "message": first.message}]}]}))
    left = lint_paths([str(path)], with_options(settings, baseline=str(old))).files[0].problems
    assert left == [second], "the recorded finding is hidden, the other one is still new"


def project(tmp_path, settings: str):
    (tmp_path / "pyproject.toml").write_text("[tool.bootstrapper.lint]\n" + settings)
    (tmp_path / "user-data").write_text(UNKNOWN + "packages: [curl]\n")
    return tmp_path


def found_rules(root, *options) -> dict:
    result = run_cli("lint", "--format", "json", "--schema", "builtin", *options,
                     str(root / "user-data"), cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return {f["rule"]: f["severity"] for f in json.loads(result.stdout)["files"][0]["findings"]}


def test_settings_of_the_old_ids_still_apply_to_the_split_checks(tmp_path):
    assert found_rules(project(tmp_path, "")) == {"unknown-key": "warning",
                                                  "duplicate-key": "warning"}
    old_options = ('[tool.bootstrapper.lint.rules.schema]\nunknown-keys = false\n'
                   '[tool.bootstrapper.lint.rules.yaml-syntax]\nduplicate-keys = false\n')
    assert found_rules(project(tmp_path, old_options)) == {}
    assert found_rules(project(tmp_path, 'disable = ["schema", "yaml-syntax"]\n')) == {}
    assert found_rules(project(tmp_path, ""), "--disable", "schema") == \
        {"duplicate-key": "warning"}
    raised = '[tool.bootstrapper.lint.rules.schema]\nseverity = "error"\n'
    assert found_rules(project(tmp_path, raised))["unknown-key"] == "error"


def test_the_new_ids_own_settings_win_over_the_old_ids(tmp_path):
    own = ('disable = ["schema"]\n[tool.bootstrapper.lint.rules.unknown-key]\n'
           'severity = "error"\n[tool.bootstrapper.lint.rules.duplicate-key]\nseverity = "off"\n')
    assert found_rules(project(tmp_path, own)) == {"unknown-key": "error"}
    assert found_rules(project(tmp_path, ""), "--disable", "unknown-key",
                       "--disable", "duplicate-key") == {}


def test_a_misspelled_new_id_in_a_suppression_is_named(tmp_path):
    found = lint_text(tmp_path, UNKNOWN.replace("[ls]", "[ls]  # bootstrapper: disable=unknown-keys"))
    assert [(p.rule, p.message) for p in found if p.rule == "suppression"] == [
        ("suppression", "unknown rule 'unknown-keys' in a suppression: it suppresses nothing; "
                        "did you mean 'unknown-key'?")]


def test_render_still_refuses_duplicate_and_unknown_keys(tmp_path):
    assert {"duplicate-key", "unknown-key"} <= set(RENDER_RULES)
    for body, rule in (("\nruncmds: [ls]", "unknown-key"), ("\nwrite_files: []", "duplicate-key")):
        template = user_template(tmp_path, body, block="cloud_config")
        assert_clean_error(run_cli("render", "--template", template), 1, rule, body.split(":")[0][1:])


def test_a_key_given_twice_is_read_where_yaml_keeps_it(tmp_path):
    """The second `write_files` is the one cloud-init gets: lint reads its lines (read in
    the first, shorter one, its second entry broke the reader with a traceback)."""
    text = ("#cloud-config\nwrite_files:\n- path: /a\n  content: x\n"
            "write_files:\n- path: /b\n  content: y\n- path: /c\n  content: z\n"
            "runcmd: [ls]\nruncmds: [ls]\nruncmd: ['echo $1']\n")
    found = rules(lint_text(tmp_path, text))
    assert (5, "duplicate-key", "warning") in found and (12, "duplicate-key", "warning") in found
    assert (11, "unknown-key", "warning") in found
    assert all(rule != "schema" for _, rule, _ in found)
    assert [line for line, rule, _ in found if rule == "shellcheck"] == [12]
