"""The systemd units the user-data installs pass `systemd-analyze verify`, and a cloud-config
render places them (and the app's drop-in) through write_files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bootstrapper import build, profile

SYSTEM_UNITS = Path("/usr/lib/systemd/system")
PROFILES = {
    "refresh": {},
    "lockdown": {"lockdown": True},
    "service-env-file": {"service": "web", "lockdown": True},
    "service-credential-process": {"service": "web.service",
                                   "credential_process_file": "/run/bootstrapper/p.json"},
    "service-no-refresh": {"service": "web", "refresh": False},
}


def write_files(data: dict) -> list[dict]:
    document = yaml.safe_load(build.build(profile.from_mapping(data)).raw)
    return document["write_files"]


def install_root(root: Path, files: list[dict]) -> list[str]:
    """A throwaway root: systemd's own units, the app's unit, and what write_files places."""
    shutil.copytree(SYSTEM_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    (root / "bin").mkdir()
    shutil.copy("/bin/true", root / "bin/true")
    units = root / "etc/systemd/system"
    units.mkdir(parents=True)
    (units / "web.service").write_text("[Unit]\nDescription=the app\n[Service]\n"
                                       "ExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n")
    for entry in files:
        target = root / entry["path"].lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(entry["content"])
        target.chmod(int(entry["permissions"], 8))
    return sorted(p.name for p in units.iterdir() if p.suffix in (".service", ".timer"))


def verify(root: Path, units: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(["systemd-analyze", "verify", f"--root={root}", *units],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"})


needs_systemd = pytest.mark.skipif(not shutil.which("systemd-analyze") or not SYSTEM_UNITS.is_dir(),
                                   reason="systemd-analyze is not installed (./dev test installs it)")


@needs_systemd
@pytest.mark.parametrize("name", PROFILES)
def test_units_verify(name, tmp_path):
    units = install_root(tmp_path, write_files(PROFILES[name]))
    result = verify(tmp_path, units)
    assert result.returncode == 0, result.stderr
    assert "web.service" in units


@needs_systemd
def test_verify_catches_a_broken_unit(tmp_path):
    units = install_root(tmp_path, write_files({}))
    broken = tmp_path / "etc/systemd/system/bootstrapper-credentials.service"
    broken.write_text(broken.read_text().replace("ExecStart=/usr/local/sbin", "ExecStart=usr/local"))
    assert verify(tmp_path, units).returncode != 0


def test_cloud_config_places_units_and_dropin():
    paths = {f["path"] for f in write_files({"service": "web", "lockdown": True})}
    assert {"/etc/systemd/system/bootstrapper-credentials.service",
            "/etc/systemd/system/bootstrapper-credentials.timer",
            "/etc/systemd/system/bootstrapper-lockdown.service",
            "/etc/systemd/system/web.service.d/bootstrapper.conf"} <= paths


@pytest.mark.parametrize("data,present,absent", [
    ({"service": "web"}, ["EnvironmentFile=/run/bootstrapper/credentials.env",
                          "Requires=bootstrapper-credentials.service"], ["AWS_CONFIG_FILE"]),
    ({"service": "web", "credential_process_file": "/run/b/p.json"},
     ["Environment=AWS_CONFIG_FILE=/run/b/aws-config"], ["EnvironmentFile="]),
    ({"service": "web", "refresh": False}, ["EnvironmentFile="], ["Requires="]),
])
def test_dropin_gives_the_app_the_right_credentials(data, present, absent):
    dropin = next(f["content"] for f in write_files(data) if f["path"].endswith("bootstrapper.conf"))
    for text in present:
        assert text in dropin
    for text in absent:
        assert text not in dropin


def test_lockdown_runs_after_the_distributions_firewall_loaders():
    """nftables.service (Debian's /etc/nftables.conf starts with `flush ruleset`),
    netfilter-persistent, iptables-services, ufw and firewalld may each flush every rule when
    they start: the lockdown must come after them, and still before the network."""
    unit = next(f["content"] for f in write_files({"lockdown": True})
                if f["path"].endswith("bootstrapper-lockdown.service"))
    after = set(re.search(r"^After=(.+)$", unit, re.M).group(1).split())
    assert {"nftables.service", "netfilter-persistent.service", "iptables.service",
            "ip6tables.service", "ufw.service", "firewalld.service"} <= after
    assert "network-pre.target" in re.search(r"^Before=(.+)$", unit, re.M).group(1).split()


@pytest.mark.parametrize("lockdown", [True, False])
def test_refresh_reapplies_the_lockdown_only_with_lockdown(lockdown):
    """Without a `-` prefix: a lockdown that fails stops the unit before the fetch (issue 18,
    item 7: the `-` made a failed lockdown fetch anyway)."""
    unit = next(f["content"] for f in write_files({"lockdown": lockdown})
                if f["path"].endswith("bootstrapper-credentials.service"))
    pre = re.findall(r"^ExecStartPre=(.+)$", unit, re.M)
    assert pre == (["/usr/local/sbin/bootstrapper-imds lockdown"] if lockdown else [])
