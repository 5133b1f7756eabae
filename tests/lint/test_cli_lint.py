"""`bootstrapper lint` from the outside: exit codes, formats, options, settings files,
directory walking, stdin, progress and colour on a terminal, and never a traceback."""

from __future__ import annotations

import json
import os
import pty
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT

CORPUS = ROOT / "tests" / "lint" / "corpus"
CLEAN = str(CORPUS / "good" / "cloud-config-basic.yaml")
WARNS = str(CORPUS / "bad" / "schema-unknown-key.yaml")     # warnings only
ERRORS = str(CORPUS / "bad" / "imdsv1-curl.sh")


def lint(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bootstrapper", "lint", *args], input=stdin,
                          capture_output=True, text=True, cwd=cwd, check=False)


def test_exit_codes():
    assert lint(CLEAN).returncode == 0
    assert lint(WARNS).returncode == 0          # warnings alone do not fail
    assert lint(ERRORS).returncode == 1
    assert lint(CLEAN, ERRORS).returncode == 1


@pytest.mark.parametrize("args, says", [
    (["/no/such/file"], "/no/such/file: no such file or directory"),
    (["--format", "xml", CLEAN], "--format: 'xml' is not one of text, json, sarif, github"),
    (["--severity", "loud", CLEAN], "--severity: 'loud'"),
    (["--disable", "imdsv2", CLEAN], "did you mean 'imdsv1'?"),
    (["--schema", "/no/schema.json", str(CORPUS / "bad" / "schema-type.yaml")],
     "/no/schema.json: cannot read the schema"),
])
def test_usage_errors_exit_2_with_one_line_and_no_traceback(args, says):
    run = lint(*args)
    assert run.returncode == 2
    assert says in run.stderr and "Traceback" not in run.stderr
    assert run.stdout == ""


def test_unreadable_file_exits_2_naming_it(tmp_path):
    path = tmp_path / "user-data.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))  # exists, is no directory, and cannot be opened for reading
    try:
        run = lint(str(path))
    finally:
        server.close()
    assert run.returncode == 2
    assert f"{path}: cannot read" in run.stderr and "Traceback" not in run.stderr


def test_json_format():
    run = lint("--format", "json", CLEAN, ERRORS)
    data = json.loads(run.stdout)
    assert [f["path"] for f in data["files"]] == [CLEAN, ERRORS]
    assert data["files"][0] == {"path": CLEAN, "format": "cloud-config", "findings": []}
    finding = data["files"][1]["findings"][0]
    assert (finding["rule"], finding["severity"], finding["line"]) == ("imdsv1", "error", 3)


def test_severity_threshold_and_disable():
    assert "[warning]" not in lint("--severity", "error", WARNS).stdout
    assert lint("--severity", "error", WARNS).returncode == 0
    run = lint("--disable", "imdsv1", ERRORS)
    assert run.returncode == 0 and "imdsv1" not in run.stdout


def test_stdin_and_output_file(tmp_path):
    out = tmp_path / "report.sarif"
    run = lint("-", "--format", "sarif", "--output", str(out),
               stdin=Path(ERRORS).read_text())
    assert run.returncode == 1 and run.stdout == ""
    sarif = json.loads(out.read_text())
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"] == "%3Cstdin%3E"


def project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(config)
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "web.user-data").write_text(Path(ERRORS).read_text())
    (infra / "app.yaml").write_text("#cloud-config\nruncmds: [ls]\n")       # sniffed
    (infra / "values.yaml").write_text("replicas: 3\n")                    # not user-data
    (infra / "deploy.sh").write_text("#!/bin/sh\necho $X\n")               # scripts aren't
    (infra / "user-data.sh.j2").write_text("{% block x %}{% endblock %}\n")  # a template
    (infra / "user-data.tpl").write_text("#cloud-config\nhostname: ${name}\n")  # sniffed
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "user-data").write_text("junk\n")
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "user-data").write_text("junk\n")
    return tmp_path


def test_directory_walk_include_sniff_exclude(tmp_path):
    root = project(tmp_path, '[tool.bootstrapper.lint]\nexclude = ["fixtures"]\n')
    run = lint("--format", "json", ".", cwd=root)
    paths = sorted(f["path"] for f in json.loads(run.stdout)["files"])
    assert paths == ["infra/app.yaml", "infra/user-data.tpl", "infra/web.user-data"]


def test_pyproject_settings_apply_and_command_line_wins(tmp_path):
    root = project(tmp_path, '[tool.bootstrapper.lint]\nexclude = ["fixtures"]\n'
                             'severity = "error"\n'
                             '[tool.bootstrapper.lint.rules.imdsv1]\nseverity = "warning"\n')
    run = lint("--format", "json", "infra", cwd=root)
    assert run.returncode == 0                        # imdsv1 demoted, below the threshold
    assert all(not f["findings"] for f in json.loads(run.stdout)["files"])
    run = lint("--severity", "info", "--format", "json", "infra", cwd=root)
    rules = {x["rule"]: x["severity"] for f in json.loads(run.stdout)["files"] for x in f["findings"]}
    assert rules == {"imdsv1": "warning", "unknown-key": "warning"}
    assert lint("--no-config", "infra", cwd=root).returncode == 1


@pytest.mark.parametrize("config, says", [
    ('[tool.bootstrapper.lint]\nserverity = "error"\n', "unknown key 'serverity'; did you mean 'severity'?"),
    ('[tool.bootstrapper.lint.rules.shellcheck]\nexclude = "SC2086"\n', "exclude must be a list of strings"),
    ('[tool.bootstrapper.lint.rules.imdsv]\n', "did you mean 'imdsv1'?"),
    ('[tool.bootstrapper.lint]\nseverity = "loud"\n', "'loud' is not one of error, warning, info"),
    ('[tool.bootstrapper\n', "not valid TOML"),
    ('[tool.bootstrapper.lint.rules.shellcheck]\nlevel = "loud"\n', "level: 'loud' is not one of"),
])
def test_bad_settings_exit_2(tmp_path, config, says):
    root = project(tmp_path, config)
    run = lint("infra", cwd=root)
    assert run.returncode == 2 and says in run.stderr and "Traceback" not in run.stderr


def test_only_user_data_skips_named_files_that_are_not(tmp_path):
    root = project(tmp_path, "")
    run = lint("--only-user-data", "--format", "json", "infra/values.yaml", "infra/deploy.sh",
               "infra/app.yaml", cwd=root)
    assert [f["path"] for f in json.loads(run.stdout)["files"]] == ["infra/app.yaml"]
    assert lint("infra/values.yaml", cwd=root).returncode == 1   # named: linted, unknown-format


def run_on_terminal(args: list[str], cwd: Path) -> tuple[str, str]:
    """Run with stdout and stderr on a pseudo-terminal each; return what each showed."""
    outputs = []
    masters, slaves = zip(*(pty.openpty() for _ in range(2)))
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    process = subprocess.Popen([sys.executable, "-m", "bootstrapper", "lint", *args], cwd=cwd,
                               stdout=slaves[0], stderr=slaves[1], env=env)
    for slave in slaves:
        os.close(slave)
    for master in masters:
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        outputs.append(b"".join(chunks).decode())
        os.close(master)
    process.wait(timeout=60)
    return outputs[0], outputs[1]


def test_progress_and_colour_on_a_terminal(tmp_path):
    for index in range(25):
        (tmp_path / f"{index:02d}.user-data").write_text("#cloud-config\npackages: [jq]\n")
    (tmp_path / "bad.user-data").write_text(Path(ERRORS).read_text())
    out, err = run_on_terminal([str(tmp_path)], ROOT)
    assert "bootstrapper lint: 26/26 files" in err
    assert "\033[31m[error]\033[0m" in out
    _, quiet = run_on_terminal([ERRORS], ROOT)      # one file: no progress line
    assert "bootstrapper lint:" not in quiet


def test_help_lists_the_options():
    run = subprocess.run([sys.executable, "-m", "bootstrapper", "lint", "--help"],
                         capture_output=True, text=True, check=False)
    for option in ("--format", "--severity", "--schema", "--disable", "--config",
                   "--only-user-data", "--output"):
        assert option in run.stdout


def test_an_invalid_schema_file_is_a_usage_error(tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text('{"type": 5}')
    run = lint("--schema", str(schema), str(CORPUS / "bad" / "schema-type.yaml"))
    assert run.returncode == 2 and "not a valid JSON schema" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_rule_that_breaks_names_the_file_and_the_rule(monkeypatch):
    from bootstrapper.errors import BootstrapperError
    from bootstrapper.lint import lint_paths, settings_for
    from bootstrapper.lint.rules import size_limit

    def broken(doc, ctx):
        raise ValueError("boom")

    monkeypatch.setattr(size_limit, "check", broken)
    with pytest.raises(BootstrapperError, match=r"cloud-config-basic.yaml: rule size-limit failed"):
        lint_paths([CLEAN], settings_for(use_config=False))
