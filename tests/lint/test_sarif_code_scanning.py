"""SARIF for code scanning: repo-relative URIs, stable fingerprints, rule help, scores."""

from __future__ import annotations

import json

from bootstrapper.lint import RULES, report
from bootstrapper.lint.engine import FileResult, Report
from bootstrapper.problem import Problem


def run_of(problems_by_path: dict, root) -> dict:
    files = [FileResult(path, "shell", problems) for path, problems in problems_by_path.items()]
    return json.loads(report.sarif(Report(files), RULES, root=str(root)))["runs"][0]


def imdsv1(path: str, line: int) -> Problem:
    return Problem(path, line, 0, "imdsv1", "error", "curl requests instance metadata ...")


def test_paths_are_relative_to_the_repository(tmp_path):
    inside = tmp_path / "infra" / "user-data"
    run = run_of({str(inside): [imdsv1(str(inside), 2)],
                  "/elsewhere/x": [imdsv1("/elsewhere/x", 1)]}, tmp_path)
    first, second = (r["locations"][0]["physicalLocation"]["artifactLocation"]
                     for r in run["results"])
    assert first == {"uri": "infra/user-data", "uriBaseId": "%SRCROOT%"}
    assert second == {"uri": "file:///elsewhere/x"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"


def test_fingerprints_survive_moved_lines_and_tell_repeats_apart(tmp_path):
    before = run_of({"user-data": [imdsv1("user-data", 2), imdsv1("user-data", 5)]}, tmp_path)
    after = run_of({"user-data": [imdsv1("user-data", 3), imdsv1("user-data", 9)]}, tmp_path)
    prints = [[r["partialFingerprints"]["bootstrapper/v1"] for r in run["results"]]
              for run in (before, after)]
    assert prints[0] == prints[1] and len(set(prints[0])) == 2


def test_rules_carry_markdown_help_and_security_severity(tmp_path):
    rules = {r["id"]: r for r in run_of({}, tmp_path)["tool"]["driver"]["rules"]}
    secret = rules["hardcoded-secret"]
    assert float(secret["properties"]["security-severity"]) >= 9.0
    assert "security" in secret["properties"]["tags"]
    assert "security-severity" not in rules["yaml-syntax"]["properties"]
    assert "FAIL\n```yaml\n#cloud-config" in secret["help"]["markdown"]
    assert secret["help"]["markdown"].count("```") % 2 == 0
