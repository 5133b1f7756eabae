"""Issue 13: what only a boot with systemd as PID 1 shows, on both cloud-init generations.

- the instance really boots with systemd (never a silent fall back to the chroot mode);
- a real reboot: cloud-init does not run the user-data again, the units it installed bring
  the lockdown back before network-pre.target and the credentials after it;
- the refresh timer fired by systemd itself (a drop-in in the image shortens its period);
- the journal holds what the units printed, and no secret;
- the `--service` unit starts after its credentials exist, and the restart at first boot does
  not deadlock cloud-final when the unit is ordered after it.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta

import pytest

from bootstrapper.testing import image, instance
from bootstrapper.testing.imds import Faults
from instance_support import (ALLOWED_USER, APP_UID, BOTH_IMAGES, ENV_FILE, NOBODY, V4,
                              assert_refused, early_runs, parse_env, render)

pytestmark = pytest.mark.instance

LOCKDOWN = "bootstrapper-lockdown.service"
CREDENTIALS = "bootstrapper-credentials.service"
TIMER = "bootstrapper-credentials.timer"


def show(vm, unit: str) -> dict[str, str]:
    return vm.show_units([unit])[0]


def monotonic(state: dict[str, str], key: str) -> int:
    value = int(state[f"{key}TimestampMonotonic"])
    assert value > 0, f"{state['Id']} has no {key} timestamp in this boot"
    return value


# --- systemd, not the chroot ----------------------------------------------------------------


@pytest.mark.parametrize("suite", image.SUITES)
def test_every_image_boots_with_systemd_by_default(suite):
    """The images have systemd, so an instance of either is in systemd mode unless a test
    asks for chroot: a fallback would be a silent loss of everything this file checks."""
    root = image.root(suite=suite)
    reason = instance.unavailable(root)
    if reason:
        pytest.skip(f"{suite}: {reason}")
    assert instance.has_systemd(root)
    assert instance.SimulatedInstance(root).mode == "systemd"


@BOTH_IMAGES
def test_systemd_is_pid_1_and_runs_cloud_init(vm, peers, suite):
    peers("mock")
    vm.seed(render("shell"))
    boot = vm.boot(timeout=180)
    assert boot.ok, boot.describe()
    assert boot.mode == "systemd"
    assert vm.run(["cat", "/proc/1/comm"]).stdout.strip() == "systemd"
    final = vm.stage_units()["final"]
    assert vm.unit_state(final) == ("active", "success")
    # cloud-init's stages ran as systemd ordered them, the final one after multi-user.target
    order = [monotonic(show(vm, unit), "InactiveExit") for unit in vm.stage_units().values()]
    assert order == sorted(order), order
    assert monotonic(show(vm, "multi-user.target"), "ActiveEnter") <= order[-1]
    assert "credentials for role" in vm.journal(final) + vm.journal("cloud-init-main.service")


@BOTH_IMAGES
@pytest.mark.parametrize("fmt", ["shell", "cloud-config"])
def test_cloud_init_status_has_no_error_of_ours(vm, peers, fmt, suite):
    """cloud-init 23.4+ makes `cloud-init status` exit 2 ("degraded done") for any warning it
    logged (recoverable_errors): what our user-data does must add none, on either generation.
    The test image's own warnings (no ssh-keygen in it) are the only ones allowed."""
    peers("mock")
    vm.seed(render(fmt, lockdown=True, credential_process_file="/run/bootstrapper/app.json"))
    boot = vm.boot(timeout=180)
    assert boot.ok, boot.describe()
    done = vm.run(["cloud-init", "status", "--format", "json"])
    status = json.loads(done.stdout)
    assert status["errors"] == [], status["errors"]
    warnings = [m for level in (status.get("recoverable_errors") or {}).values() for m in level]
    assert [m for m in warnings if "ssh_host_" not in m] == [], warnings
    assert done.returncode == (2 if warnings else 0), done.stdout


# --- a real reboot -------------------------------------------------------------------------------


@BOTH_IMAGES
@pytest.mark.parametrize("fmt", ["shell", "cloud-config"])
def test_reboot_brings_lockdown_back_before_the_network(vm, peers, fmt, suite):
    """Power off, the kernel forgets the rules, the same instance id boots: cloud-init runs
    nothing of the user-data again; systemd starts the lockdown before network-pre.target
    (and before cloud-init's network stage), then the credentials unit, whose first IMDS
    request already meets the rules."""
    peer = peers("mock", Faults(rotate=True))
    vm.seed(render(fmt, lockdown=True, allow_users=[ALLOWED_USER]))
    first = vm.boot(timeout=180)
    assert first.ok, first.describe()
    rules = vm.ruleset()
    first_env = vm.read(ENV_FILE)

    rules_at_first_request: list[str] = []
    peer.mock.requests.clear()
    peer.mock.on_request = lambda request: rules_at_first_request.append(
        vm.ruleset()) if not rules_at_first_request else None
    boot = vm.reboot(timeout=180)
    assert boot.ok, boot.describe()
    assert [u.name for u in boot.units] == [LOCKDOWN, CREDENTIALS]

    lockdown, pre = show(vm, LOCKDOWN), show(vm, "network-pre.target")
    assert (lockdown["ActiveState"], lockdown["Result"]) == ("active", "success")
    assert monotonic(lockdown, "ExecMainExit") <= monotonic(pre, "ActiveEnter")
    network = show(vm, vm.stage_units()["network"])
    assert monotonic(lockdown, "ExecMainExit") <= monotonic(network, "InactiveExit")
    credentials = show(vm, CREDENTIALS)
    assert monotonic(lockdown, "ExecMainExit") <= monotonic(credentials, "InactiveExit")
    assert rules_at_first_request and rules_at_first_request[0] == rules
    assert vm.ruleset() == rules
    assert_refused(vm, V4, NOBODY)

    # The user-data ran once: its final-stage lines are in the first boot's log only; the
    # init-stage lockdown (cloud-config's bootcmd) runs at every boot, by design.
    assert vm.output_log().count("IMDS restricted to root") == 1 + 2 * early_runs(fmt)
    assert vm.output_log().count("credentials for role") == 1
    assert vm.read(ENV_FILE) != first_env  # /run was empty; the unit wrote it again
    journal = vm.journal(CREDENTIALS, boot=True)
    assert "credentials for role" in journal and "IMDS restricted to root" in journal


# --- the refresh timer, fired by systemd ---------------------------------------------------

# In the image, before the user-data installs the timer: fire 2 s after the timer starts,
# then every 2 s.
# An empty On*Sec= clears every monotonic timer of the unit, not only its own kind: one
# reset, then the new schedule.
FAST_TIMER = """[Timer]
OnBootSec=
OnActiveSec=2s
OnUnitActiveSec=2s
AccuracySec=100ms
"""


def boot_with_timer(vm, peers, schedule: str, **options):
    """Boot shell user-data with `options`, the refresh timer on `schedule` (a drop-in put
    in the image first) and a mock whose keys are under the 30-minute margin (so each run
    replaces them): (peer, how many credentials it had served by the end of the boot)."""
    peer = peers("mock", Faults(rotate=True))
    peer.mock.instance.lifetime = timedelta(minutes=20)
    vm.write(f"/etc/systemd/system/{TIMER}.d/test-period.conf", schedule)
    vm.seed(render("shell", **options))
    boot = vm.boot(timeout=180)
    assert boot.ok, boot.describe()
    return peer, len(peer.mock.credentials)


@BOTH_IMAGES
def test_timer_refreshes_and_restores_the_lockdown(vm, peers, suite):
    """systemd's timer starts the credentials unit again and again: keys near expiry are
    replaced each time, and rules flushed by a firewall reload come back without anyone
    starting anything by hand."""
    peer, served = boot_with_timer(vm, peers, FAST_TIMER, lockdown=True)
    assert vm.unit_state(TIMER)[0] == "active"

    vm.wait_for(lambda: len(peer.mock.credentials) >= served + 2, 60,
                "the timer to refresh twice")
    # each run is in the journal (a line a moment after the mock answered)
    vm.wait_for(lambda: vm.journal(CREDENTIALS, boot=True).count("credentials for role") >= 2,
                10, "two runs of the credentials unit in the journal")
    newest = peer.mock.last_credentials["AccessKeyId"]
    vm.wait_for(lambda: parse_env(vm.read(ENV_FILE))["AWS_ACCESS_KEY_ID"] == newest, 10,
                "the env file to hold the newest keys")

    rules = vm.ruleset()
    vm.flush_firewall()  # a firewall reload
    # The whole ruleset, not just the chain's name: that exists before its rules do.
    vm.wait_for(lambda: vm.ruleset() == rules, 30, "the timer's run to put the lockdown back")
    assert_refused(vm, V4, NOBODY)


# The shipped timer's schedule, with the boot slower than OnBootSec= (here 1 s; 5 min in the
# template, which a first boot that upgrades packages can outlast).
LATE_TIMER = """[Timer]
OnBootSec=
OnBootSec=1s
OnUnitActiveSec=2s
AccuracySec=100ms
"""


@BOTH_IMAGES
def test_timer_fires_when_the_first_boot_outlasts_on_boot_sec(vm, peers, suite):
    """The shipped schedule (OnBootSec=, then OnUnitActiveSec=) started by the user-data
    after OnBootSec= has passed: the timer elapses at once and starts the service, which arms
    OnUnitActiveSec=. (Checked because a timer that never fired would leave the keys to
    expire.)"""
    peer, served = boot_with_timer(vm, peers, LATE_TIMER)
    vm.wait_for(lambda: len(peer.mock.credentials) >= served + 2, 30,
                "the timer to fire at once, then again")


# --- the journal -------------------------------------------------------------------------------


@BOTH_IMAGES
@pytest.mark.parametrize("fmt", ["shell", "cloud-config"])
def test_no_secret_in_the_journal(vm, peers, fmt, suite):
    """Everything the units and cloud-init printed, across a boot and a reboot, as journald
    kept it: the lines are there, the secrets are not."""
    peer = peers("mock", Faults(rotate=True))
    vm.seed(render(fmt, lockdown=True, credential_process_file="/run/bootstrapper/app.json"))
    assert vm.boot(timeout=180).ok
    assert vm.reboot(timeout=180).ok
    journal = vm.journal()
    assert journal.count("credentials for role") >= 2, journal[-3000:]  # boot, reboot
    secrets = peer.secrets()
    assert len(peer.mock.credentials) >= 2 and secrets
    leaked = [s for s in secrets if s in journal]
    assert leaked == [], f"{len(leaked)} secret(s) in the journal"
    vm.shutdown()  # and the files on disk, read from the host after power-off
    assert [s for s in secrets if s in vm.journal()] == []


# --- --service: the app's unit -------------------------------------------------------------

# The app records the key it was started with (from the drop-in's EnvironmentFile=);
# `%%` is a literal `%` in a unit file.
# Ordered after cloud-final, it is wanted by cloud-init.target (which waits for cloud-final):
# wanted by multi-user.target it would close a cycle (cloud-final is after multi-user).
WEB_UNIT = """[Unit]
Description=The app, already in the image
{after}
[Service]
User=app
ExecStart=/bin/sh -c 'printf %%s "$AWS_ACCESS_KEY_ID" >/var/tmp/web/key; exec sleep infinity'
[Install]
WantedBy={target}
"""


@pytest.mark.parametrize("ordering", ["multi-user", "after-cloud-final"])
def test_service_starts_with_credentials_and_no_deadlock(vm, peers, ordering):
    """`--service web`: the first boot's restart gives the app the credentials just fetched.
    When the unit is ordered After=cloud-final.service (a common way to say "after
    cloud-init"), a blocking restart from inside cloud-final would wait for cloud-final
    itself: the boot would never finish. After a reboot the app starts after the
    credentials unit, with the new keys."""
    after, target = ("After=cloud-final.service", "cloud-init.target") \
        if ordering == "after-cloud-final" else ("", "multi-user.target")
    vm.write("/etc/systemd/system/web.service", WEB_UNIT.format(after=after, target=target))
    vm.path(f"/etc/systemd/system/{target}.wants").mkdir(exist_ok=True)
    vm.path(f"/etc/systemd/system/{target}.wants/web.service").symlink_to(
        "/etc/systemd/system/web.service")
    vm.path("/var/tmp/web").mkdir()
    vm.run(["chown", "app", "/var/tmp/web"])
    peers("mock", Faults(rotate=True))
    vm.seed(render("shell", service="web"))
    boot = vm.boot(timeout=90)
    assert boot.ok, boot.describe()

    def key_seen() -> str | None:
        if vm.unit_state("web.service")[0] != "active" or not vm.exists("/var/tmp/web/key"):
            return None
        return vm.read("/var/tmp/web/key") or None

    assert vm.wait_for(key_seen, 30, "web.service to start with credentials") == \
        parse_env(vm.read(ENV_FILE))["AWS_ACCESS_KEY_ID"]

    vm.path("/var/tmp/web/key").unlink()  # what the app writes after the reboot is new
    boot = vm.reboot(timeout=90)
    assert boot.ok, boot.describe()
    assert vm.wait_for(key_seen, 30, "web.service to start again") == \
        parse_env(vm.read(ENV_FILE))["AWS_ACCESS_KEY_ID"]
    web, credentials = show(vm, "web.service"), show(vm, CREDENTIALS)
    assert monotonic(credentials, "ExecMainExit") <= monotonic(web, "ExecMainStart")
    assert vm.path("/var/tmp/web/key").stat().st_uid == APP_UID
    assert "ordering cycle" not in vm.journal(), "the drop-in closed an ordering cycle"


# --- the host stays out of reach ---------------------------------------------------------------


@pytest.mark.parametrize("mode", ["chroot", "systemd"])
def test_instance_cannot_replace_the_hosts_dev_null(image_root, mode):
    """A script that renames a file onto /dev/null (a hostile --env-file, say) replaces the
    instance's node, not the host's: once, the chroot mode bound the host's /dev inside and
    a test turned the host's /dev/null into a regular file, breaking every later boot."""
    with instance.SimulatedInstance(image_root, mode=mode) as vm:
        if mode == "systemd":
            vm.seed("#!/bin/sh\ntrue\n")
            assert vm.boot(timeout=180).ok
        done = vm.sh("t=$(mktemp /dev/x.XXXXXX) && mv -f \"$t\" /dev/null && test -f /dev/null")
        assert done.returncode == 0, done.stderr  # inside, /dev/null is now a file
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode), "the host's /dev/null was replaced"
