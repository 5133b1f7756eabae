"""The pre-commit hook, the GitHub Actions example and the user docs stay in step with
the command."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import yaml

from bootstrapper.lint import RULES

from support import ROOT

CORPUS = ROOT / "tests" / "lint" / "corpus"


def test_pre_commit_hook_runs_lint_on_the_files_it_selects(tmp_path):
    hook, = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "bootstrapper-lint" and hook["require_serial"] is True
    pattern = re.compile(hook["files"])
    changed = {"infra/user-data": "#cloud-config\nruncmds: [ls]\n",       # by name
               "infra/web.yaml": "#cloud-config\npackages: curl\n",       # sniffed
               "chart/values.yaml": "replicas: 3\n",                      # selected, skipped
               "src/app.py": "print(1)\n"}                                # not selected
    for name, text in changed.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    selected = [name for name in changed if pattern.search(name)]
    assert selected == ["infra/user-data", "infra/web.yaml", "chart/values.yaml"]
    entry = shlex.split(hook["entry"])
    assert entry[:2] == ["bootstrapper", "lint"]
    run = subprocess.run([sys.executable, "-m", "bootstrapper", *entry[1:], *selected],
                         cwd=tmp_path, capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "infra/web.yaml:2" in run.stdout and "did you mean 'runcmd'" in run.stdout
    assert "values.yaml" not in run.stdout


def test_github_actions_example_uses_real_options():
    workflow = yaml.safe_load((ROOT / "examples" / "github-actions" / "lint.yml").read_text())
    steps = workflow["jobs"]["bootstrapper-lint"]["steps"]
    commands = [s["run"] for s in steps if "run" in s and "bootstrapper lint" in s["run"]]
    assert any("--format github" in c for c in commands)
    assert any("--format sarif --output bootstrapper-lint.sarif" in c for c in commands)
    upload = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    assert upload and upload[0]["with"]["sarif_file"] == "bootstrapper-lint.sarif"


def test_docs_describe_every_rule_and_option():
    docs = (ROOT / "docs" / "lint.md").read_text()
    for rule_id in RULES:
        assert f"| [`{rule_id}`](#{rule_id}) |" in docs and f"\n### `{rule_id}`\n" in docs, rule_id
    help_text = subprocess.run([sys.executable, "-m", "bootstrapper", "lint", "--help"],
                               capture_output=True, text=True, check=False).stdout
    for option in set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}:
        assert option in docs, option
