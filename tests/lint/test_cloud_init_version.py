"""--cloud-init-version: the known top-level keys are those of the targeted release."""

from __future__ import annotations

import json

import pytest

from bootstrapper.errors import BootstrapperError
from bootstrapper.lint import schemas
from lint_support import lint_text
from support import assert_clean_error, run_cli  # noqa: I001

PRO = "#cloud-config\nubuntu_pro:\n  token: <token>\n"


@pytest.mark.parametrize(("requested", "bundled"), [
    ("22", "22.4"), ("22.2.2", "22.2"), ("23", "23.4"), ("23.4.4", "23.4"), ("24", "24.4"),
    ("25.1", "25.1"), ("99", "25.3")])
def test_versions_resolve_to_a_bundled_release(requested, bundled):
    assert schemas.resolve_version(requested) == bundled


@pytest.mark.parametrize("requested", ["21", "latest", "24.x"])
def test_a_version_without_a_key_list_is_a_clear_error(requested):
    with pytest.raises(BootstrapperError, match="bundled"):
        schemas.resolve_version(requested)


def test_key_of_a_newer_release_names_both(tmp_path):
    [finding] = lint_text(tmp_path, PRO, cloud_init_version="23.4")
    assert finding.rule == "unknown-key" and finding.severity == "warning"
    assert "cloud-init 23.4" in finding.message and "from cloud-init 24.1 on" in finding.message
    assert lint_text(tmp_path, PRO, cloud_init_version="24") == []


def test_key_dropped_by_a_newer_release(tmp_path):
    [finding] = lint_text(tmp_path, "#cloud-config\ndebug:\n  verbose: true\n",
                          cloud_init_version="24")
    assert "by cloud-init 22.2" in finding.message


def test_cli_option_config_key_and_report_header(tmp_path):
    path = tmp_path / "user-data"
    path.write_text(PRO)
    result = run_cli("lint", "--no-config", "--cloud-init-version", "23", "--format", "json",
                     str(path))
    assert "top-level keys of cloud-init 23.4" in json.loads(result.stdout)["schema"]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.bootstrapper.lint]\ncloud-init-version = "24.1"\n')
    result = run_cli("lint", "--config", str(tmp_path / "pyproject.toml"), str(path))
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("cloud-config schema: ")
    assert "top-level keys of cloud-init 24.1" in result.stdout.splitlines()[0]
    assert_clean_error(run_cli("lint", "--cloud-init-version", "19", str(path)), 2,
                       "--cloud-init-version 19")
