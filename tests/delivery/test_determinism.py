"""Determinism: the same input gives the same bytes in another process, time zone, locale,
hash seed, working directory and with or without the validation cache."""

from __future__ import annotations

import os

import pytest
from delivery_support import ROOT, go_json, run_as_terraform
from support import run_cli

PART = "#cloud-config\nwrite_files: [{path: /etc/motd, content: \"gr\u00fc\u00df dich \u2603\"}]\n"

ENVIRONMENTS = [
    {"TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"},
    {"TZ": "Pacific/Chatham", "LC_ALL": "C", "LANG": "C", "PYTHONHASHSEED": "12345",
     "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONIOENCODING": "latin-1"},
    {"TZ": "Asia/Kolkata", "LC_ALL": "POSIX", "LANG": "tr_TR.ISO-8859-9",
     "PYTHONHASHSEED": "random", "BOOTSTRAPPER_NO_CACHE": "1"},
]


def env_with(extra: dict, tmp_path) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "TZ"))}
    return {**base, **extra, "XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.fixture
def part(tmp_path):
    path = tmp_path / "motd.yaml"
    path.write_text(PART, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [
    ["render", "--format", "mime", "--gzip", "--base64", "--role", "app", "--lockdown"],
    ["render", "--format", "shell", "--gzip", "--allow-user", "agent", "--lockdown"],
    ["launch-template", "--format", "mime", "--gzip", "--iam-instance-profile", "web"],
])
def test_renders_are_identical_across_processes_zones_and_locales(command, part, tmp_path):
    outputs = set()
    for n, extra in enumerate(ENVIRONMENTS):
        cwd = tmp_path / f"cwd{n}"
        cwd.mkdir()
        args = [*command, "--part", str(part)] if "mime" in command else command
        result = run_cli(*args, binary=True, cwd=cwd, env=env_with(extra, tmp_path / f"c{n}"),
                         inherit=False)
        assert result.returncode == 0, result.stderr.decode()
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_terraform_is_identical_across_processes_zones_and_locales(part, tmp_path):
    query = go_json({"format": "mime", "parts": str(part), "gzip": "true", "role": "app"})
    outputs = set()
    for n, extra in enumerate(ENVIRONMENTS):
        result = run_as_terraform(query, env=env_with(extra, tmp_path / f"c{n}"), cwd=ROOT)
        assert result.returncode == 0, result.stderr.decode()
        outputs.add(result.stdout)
    assert len(outputs) == 1
