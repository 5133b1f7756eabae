"""Issue 7: the generated user-data on every /bin/sh, HTTP client and firewall it meets.

The matrix (portability_matrix.CELLS) boots each image shape in both formats on the simulated
instance and asserts the cell's outcome; docs/compatibility.md is generated from the same data.
The static checks below (shellcheck -s sh, checkbashisms, dash -n, no jq/python/bash) cover
every script the user-data installs, for each combination of features.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import stat
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from bootstrapper import shellcheck
from instance_support import (ALLOWED_USER, APP_UID, ENV_FILE, FORMATS, NOBODY, V4,
                              assert_failed, assert_healthy, assert_locked, assert_token,
                              parse_env, render)
from support import installed
from portability_matrix import CELLS, CLIENTS, FIREWALLS, PORTABLE_TOOLS, SHELLS
from portability_matrix import main as doc_main
from portability_support import (ALPINE_CRONTAB, ROOT_CRONTAB, TOOLBOX, assert_backend,
                                 curl_minimal_calls, firewall_state, set_client, set_firewall,
                                 shape, stub_apt_get, tools_run)

PROCESS_FILE = "/run/bootstrapper/app.json"  # every cell also writes credential_process files
NOT_PORTABLE = re.compile(  # such a tool in command position
    r"(?:^|[;&|(`]|\b(?:then|do|else|if|while|until|exec|command)\s)\s*"
    r"(jq|python3?|perl|bash|awk|gawk|stat|readlink|timeout|install|uudecode|openssl)\b",
    re.M)
FEATURES = {  # profiles covering every template branch of the installed scripts
    "plain": {},
    "no-refresh": {"refresh": False},
    "lockdown": {"lockdown": True, "allow_users": ["monitor"]},
    "everything": {"lockdown": True, "allow_users": ["monitor"], "firewall": "nftables",
                   "credential_process_file": "/run/app/credentials.json",
                   "service": "app.service", "imds_endpoint": "http://[fd00:ec2::254]"},
}


# --- the matrix -----------------------------------------------------------------------------------


@pytest.fixture
def vm_mode(request) -> str | None:
    """The busybox cells stand for Alpine, which has no systemd: they boot in chroot mode
    (cloud-init's stages by hand, persistence through its per-boot scripts and crond).
    Every other cell boots with systemd as PID 1."""
    cell = getattr(request.node, "callspec", None) and request.node.callspec.params.get("cell")
    return "chroot" if cell is not None and cell.shell == "busybox" else None


@pytest.mark.instance
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.id)
def test_matrix(vm, peers, cell, fmt):
    peer = peers("mock")
    assert_token(vm, V4, NOBODY)  # before: anyone reaches IMDS, so a refusal is the lockdown's
    peer.mock.requests.clear()
    restore_curl = shape(vm, cell)
    assert_shell(vm, cell.shell)
    # auto prefers nft where it exists (issue 18): the iptables cells ask for iptables.
    firewall = "iptables" if cell.firewall.startswith("iptables") else "auto"
    vm.seed(render(fmt, lockdown=True, allow_users=[ALLOWED_USER],
                   credential_process_file=PROCESS_FILE, firewall=firewall))
    boot = vm.boot()
    if cell.outcome == "fails-closed":
        assert_failed(vm, boot, r"neither iptables nor nft is installed")
        assert peer.requests == []
        return
    if cell.outcome == "no-client":
        assert_failed(vm, boot, r"\(IMDSv2 needs a PUT\): install curl, "
                                r"or render with --install-missing")
        assert peer.requests == []
        assert_backend(vm, cell.firewall)  # the lockdown came first and stays
        return

    assert_healthy(vm, peer, boot)
    assert_process_file(vm)
    assert_client(vm, peer, cell.client)
    assert_backend(vm, cell.firewall)
    assert_refresh_keeps_fresh_credentials(vm, peer)
    assert_refresh_renews_near_expiration(vm, peer)
    rules = firewall_state(vm, cell.firewall)
    again = vm.rerun_user_data()
    assert again.ok, again.describe()
    # Twice, and in cloud-config once more from bootcmd (the init stage), which needs
    # python3 on PATH: the busybox cells' toolbox PATH has none (Alpine's cloud-init would).
    early = fmt != "shell" and cell.shell != "busybox"
    assert vm.output_log().count("IMDS restricted to root") == 2 + early
    assert firewall_state(vm, cell.firewall) == rules, "a re-run changed the rules"
    log = vm.output_log() if early or fmt == "shell" else \
        vm.output_log().replace("python3: not found", "")  # that bootcmd, nothing of ours
    assert not re.search(r"not found|illegal option|unrecognized|invalid option", log), log
    restore_curl()  # the probes below are the tests' own curl, as root, 1001, 65534 and 1000
    assert_locked(vm)
    if cell.shell == "busybox":
        assert_busybox_only(vm)


def assert_shell(vm, shell: str) -> None:
    """/bin/sh is what the cell says: bash in POSIX mode or not, busybox with its own PATH."""
    probe = 'echo "${BASH_VERSION:-none} :${SHELLOPTS:-}: $PATH"'
    out = vm.run(["/bin/sh", "-c", probe]).stdout.split()
    version, options, path = out[0], out[1], out[2]
    assert (version != "none") == shell.startswith("bash"), out
    if shell.startswith("bash"):
        assert (":posix:" in options) == (shell == "bash-posix"), out
    assert (path == TOOLBOX) == (shell == "busybox"), out


def assert_client(vm, peer, client: str) -> None:
    agents = {r.header("User-Agent") or "" for r in peer.mock.requests}
    prefix = "Wget/" if client == "wget" else "curl/"
    assert agents and all(a.startswith(prefix) for a in agents), agents
    if client == "curl-minimal":  # every request went through curl-minimal's option set
        calls = curl_minimal_calls(vm)
        assert len(calls) >= len(peer.mock.requests), calls
        assert all("-X" in call.split() for call in calls[:len(peer.mock.requests)]), calls


def assert_refresh_keeps_fresh_credentials(vm, peer) -> None:
    """`refresh` (the timer's and the per-boot command) compares Expiration with
    `date -d @N` and `expr`: credentials valid for hours stay, and IMDS is not asked."""
    before = len(peer.mock.requests)
    done = vm.run(["/usr/local/sbin/bootstrapper-imds", "refresh"])
    assert done.returncode == 0, done.stderr
    assert len(peer.mock.requests) == before, "refresh fetched credentials that were fresh"


def assert_process_file(vm) -> None:
    """The credential_process JSON and the AWS config beside it: root's, the app user's group,
    0440,
    holding the same keys as the env file."""
    env = parse_env(vm.read(ENV_FILE))
    for path in (PROCESS_FILE, "/run/bootstrapper/aws-config"):
        info = vm.path(path).stat()
        assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == \
            (0o440, 0, APP_UID), path
    assert f'"AccessKeyId": "{env["AWS_ACCESS_KEY_ID"]}"' in vm.read(PROCESS_FILE)
    assert f"credential_process = cat {PROCESS_FILE}" in vm.read("/run/bootstrapper/aws-config")


def assert_refresh_renews_near_expiration(vm, peer) -> None:
    """The other branch of the same comparison, in this cell's shell and tools: credentials
    that expire within 30 minutes are fetched again and both files rewritten."""
    soon = (datetime.now(timezone.utc) + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = re.sub(r"^AWS_CREDENTIAL_EXPIRATION=.*$", f"AWS_CREDENTIAL_EXPIRATION={soon}",
                  vm.read(ENV_FILE), flags=re.M)
    vm.write(ENV_FILE, text, 0o440)  # vm.write keeps the owner and group it replaces
    vm.write(PROCESS_FILE, "stale", 0o440)
    before = len(peer.mock.requests)
    done = vm.run(["/usr/local/sbin/bootstrapper-imds", "refresh"])
    assert done.returncode == 0, done.stderr
    assert len(peer.mock.requests) > before, "refresh kept credentials about to expire"
    assert parse_env(vm.read(ENV_FILE))["AWS_CREDENTIAL_EXPIRATION"] != soon
    assert_process_file(vm)


def assert_busybox_only(vm) -> None:
    """Only busybox applets from PORTABLE_TOOLS ran; without systemctl on PATH the
    persistence was cloud-init's per-boot script and one line in BusyBox crond's crontab,
    added once across the two runs."""
    ran = tools_run(vm)
    assert {"sed", "mktemp", "id"} <= ran, ran  # the record works
    assert ran <= set(PORTABLE_TOOLS), f"not portable: {sorted(ran - set(PORTABLE_TOOLS))}"
    assert vm.exists("/var/lib/cloud/scripts/per-boot/bootstrapper-imds")
    assert vm.read(ROOT_CRONTAB) == ALPINE_CRONTAB + \
        "*/5 * * * * /usr/local/sbin/bootstrapper-imds boot\n"


def test_matrix_covers_every_pair():
    """Every shell meets every working client and firewall, and every working client meets
    every working firewall; at least 12 cells work; every refusal appears."""
    works = [c for c in CELLS if c.outcome == "works"]
    assert len(works) >= 12 and len(set(CELLS)) == len(CELLS)
    working = {"client": set(CLIENTS) - {"busybox-wget"}, "firewall": set(FIREWALLS) - {"none"}}
    for a, b in itertools.combinations(("shell", "client", "firewall"), 2):
        want = set(itertools.product(working.get(a, SHELLS), working.get(b, SHELLS)))
        assert {(getattr(c, a), getattr(c, b)) for c in works} == want, (a, b)
    assert {c.outcome for c in CELLS} == {"works", "no-client", "fails-closed"}


def test_compatibility_doc_is_generated_from_the_matrix():
    assert doc_main(["--check"]) == 0, \
        "docs/compatibility.md is out of date: python tests/instance/portability_matrix.py"


# --- the scripts, read: POSIX sh only ---------------------------------------------------------


def installed_scripts(options: dict) -> dict[str, str]:
    """Every shell script a user-data with these options runs or installs, by name: the
    shell-format user-data itself, and the scripts its cloud-config twin writes."""
    scripts = {"user-data.sh": render("shell", **options).decode()}
    for path, content in installed(render("cloud-config", **options).decode()).items():
        if content.startswith("#!/bin/sh"):  # the helper among them, decoded
            scripts[path] = content
    return scripts


def require(tool: str, package: str) -> str:
    """The tool's path; a skip saying how to get it, except under ./dev test (CI), which
    installs it: there its absence is a failure."""
    found = shutil.which(tool)
    if found is None:
        reason = f"{tool} is not installed (apt-get install --no-install-recommends {package})"
        if os.environ.get("BOOTSTRAPPER_REQUIRE_INSTANCE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@pytest.mark.parametrize("features", FEATURES)
def test_scripts_are_posix_sh(features, tmp_path):
    """shellcheck -s sh and checkbashisms --posix find nothing; dash and busybox sh parse
    them; no jq, Python, Perl, awk, bash or other tool outside POSIX and busybox."""
    scripts = installed_scripts({"app_user": "app", **FEATURES[features]})
    paths = []
    for name, text in scripts.items():
        path = tmp_path / name.strip("/").replace("/", "_")
        path.write_text(text)
        paths.append(str(path))
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        assert not NOT_PORTABLE.search(code), f"{name}: {NOT_PORTABLE.search(code).group()}"
    checked = subprocess.run([shellcheck.binary(), "-s", "sh", "-S", "style", *paths],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    checkbashisms = require("checkbashisms", "devscripts")  # the other checks run without it
    bashisms = subprocess.run([checkbashisms, "--posix", "--extra", *paths],
                              capture_output=True, text=True)
    assert bashisms.returncode == 0, bashisms.stdout + bashisms.stderr
    for shell in (["dash", "-n"], ["busybox", "sh", "-n"]):
        for path in paths:
            parsed = subprocess.run([require(shell[0], shell[0]), *shell[1:], path],
                                    capture_output=True, text=True)
            assert parsed.returncode == 0, f"{shell[0]}: {path}: {parsed.stderr}"


def test_the_checks_would_see_a_bashism(tmp_path):
    """The checks above would fail on a bashism or on jq (checkbashisms' options are not
    silently ignored; a tool in an option name is not a tool)."""
    assert NOT_PORTABLE.search("x=$(jq -r .a f)") and NOT_PORTABLE.search("if python3 -c 1")
    assert not NOT_PORTABLE.search("curl -sS --connect-timeout 1 --max-time 2 \"$url\"")
    checkbashisms = require("checkbashisms", "devscripts")
    script = tmp_path / "bad.sh"
    script.write_text("#!/bin/sh\nlocal x=1\necho -n x\n[[ a == a ]]\n")
    found = subprocess.run([checkbashisms, "--posix", "--extra", str(script)],
                           capture_output=True, text=True)
    assert found.returncode == 1 and found.stderr.count("possible bashism") == 4, found.stderr


# --- --install-missing ------------------------------------------------------------------------


def packages(**options) -> list[str]:
    doc = yaml.safe_load(render("cloud-config", install_missing=True, **options))
    return doc["packages"]


def test_install_missing_names_packages_every_package_manager_knows():
    """GNU wget (never curl: it conflicts with curl-minimal on AL2023 and RHEL 9), and the
    firewall the lockdown will use; nothing without --install-missing."""
    assert packages() == ["wget"]
    assert packages(lockdown=True) == ["wget", "nftables"]
    assert packages(lockdown=True, firewall="nftables") == ["wget", "nftables"]
    assert packages(lockdown=True, firewall="iptables") == ["wget", "iptables"]
    assert "packages" not in yaml.safe_load(render("cloud-config", lockdown=True))


@pytest.mark.instance
def test_install_missing_on_an_image_without_client_or_firewall(vm, peers):
    """A minimal image: no curl, no wget, no iptables, no nftables (without --install-missing
    it fails closed: see the matrix). cloud-init's package module (here with an apt-get that
    puts back the files of the packages it is asked for: the namespace has no mirror) installs
    what `packages:` names before the script runs, and that is enough."""
    restore_curl = set_client(vm, "wget")
    set_firewall(vm, "nft")
    log = stub_apt_get(vm, ("wget", "nftables"))
    peer = peers("mock")
    vm.seed(render("cloud-config", lockdown=True, allow_users=[ALLOWED_USER],
                   install_missing=True))
    boot = vm.boot()
    assert vm.read(log).splitlines() == ["update", "install wget nftables"], vm.read(log)
    assert_healthy(vm, peer, boot)
    assert_client(vm, peer, "wget")
    assert_backend(vm, "nft")
    restore_curl()
    assert_locked(vm)
