"""--baseline FILE: findings recorded by an earlier --format json run are not reported."""

from __future__ import annotations

import json

from support import assert_clean_error, run_cli

OLD = "#!/bin/sh\ncurl -s http://169.254.169.254/latest/meta-data/instance-id\n"
NEW = "curl -s http://169.254.169.254/latest/meta-data/local-ipv4\n"


def test_only_new_findings_fail(tmp_path):
    (tmp_path / "user-data").write_text(OLD)
    saved = run_cli("lint", "--no-config", "--format", "json", "-o", "base.json", "user-data",
                    cwd=tmp_path)
    assert saved.returncode == 1
    again = run_cli("lint", "--no-config", "--baseline", "base.json", "user-data", cwd=tmp_path)
    assert again.returncode == 0, again.stdout
    (tmp_path / "user-data").write_text(OLD.replace("\n", "\n: moved\n", 1) + NEW)  # moved; one new
    later = run_cli("lint", "--no-config", "--baseline", "base.json", "--format", "json",
                    "user-data", cwd=tmp_path)
    assert later.returncode == 1
    [entry] = json.loads(later.stdout)["files"]
    assert [f["line"] for f in entry["findings"]] == [4]


def test_config_key_and_a_bad_file(tmp_path):
    (tmp_path / "user-data").write_text(OLD)
    run_cli("lint", "--no-config", "--format", "json", "-o", "known.json", "user-data",
            cwd=tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.bootstrapper.lint]\nbaseline = "known.json"\n')
    assert run_cli("lint", "user-data", cwd=tmp_path).returncode == 0
    (tmp_path / "bad.json").write_text("[]")
    for name, fragment in (("bad.json", "--baseline bad.json"), ("nope.json", "cannot read")):
        assert_clean_error(run_cli("lint", "--no-config", "--baseline", name, "user-data",
                                   cwd=tmp_path), 2, fragment)
