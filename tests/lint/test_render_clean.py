"""Whatever `bootstrapper render` produces lints clean: no finding of any severity, for
every example profile, every output format and encoding."""

from __future__ import annotations

import io
import subprocess

import pytest

from bootstrapper.lint import lint_paths, settings_for

from support import EXAMPLES, run_cli

VARIANTS = {
    "cloud-config": ["--format", "cloud-config"],
    "shell": ["--format", "shell"],
    "mime": ["--format", "mime"],
    "cloud-config-gzip-base64": ["--format", "cloud-config", "--gzip", "--base64"],
    "shell-gzip": ["--format", "shell", "--gzip"],
    "ipv6-no-refresh": ["--imds-endpoint", "http://[fd00:ec2::254]", "--no-refresh"],
    "lockdown-credential-process": ["--lockdown", "--allow-user", "cwagent",
                                    "--credential-process-file", "/run/app/creds.json"],
}


def render(profile: str, args: list[str]) -> subprocess.CompletedProcess:
    return run_cli("render", profile, *args, binary=True)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("profile", [p.name for p in EXAMPLES])
def test_render_output_lints_clean(profile, variant):
    rendered = render(f"examples/{profile}", VARIANTS[variant])
    assert rendered.returncode == 0, rendered.stderr.decode()
    report = lint_paths(["-"], settings_for(use_config=False), stdin=io.BytesIO(rendered.stdout))
    assert [str(p) for p in report.files[0].problems] == []
    assert report.files[0].format != "unknown"
