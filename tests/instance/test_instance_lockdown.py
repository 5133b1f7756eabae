"""Issue 9, cases 9 and 10: the IMDS lockdown, proven by real connections from other users
(setpriv --reuid ... curl) in the simulated instance, across a re-run and a reboot."""

from __future__ import annotations

import re

import pytest

from instance_support import (ALLOWED_UID, ALLOWED_USER, BOTH_IMAGES, ENV_FILE,
                              FORMATS, NOBODY, PEERS, V4, V6, assert_locked, assert_refused,
                              assert_token, early_runs, error_lines, render, temp_leftovers)

pytestmark = pytest.mark.instance


def lockdown_user_data(fmt: str, firewall: str = "auto") -> bytes:
    return render(fmt, lockdown=True, allow_users=[ALLOWED_USER], firewall=firewall)


# --- 9. lockdown ---------------------------------------------------------------------------------


@pytest.mark.parametrize("firewall", ["iptables", "nftables"])
@pytest.mark.parametrize("peer_kind", PEERS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_lockdown(vm, peers, fmt, peer_kind, firewall):
    if firewall == "nftables":
        vm.remove_package("iptables")  # like Amazon Linux 2023: nftables, no iptables
        assert not vm.exists("/usr/sbin/iptables")
    peer = peers(peer_kind)
    # Before: every user reaches IMDS (so a refusal later is the lockdown's doing).
    assert_token(vm, V4, NOBODY)
    rules_at_first_request: list[str] = []
    if peer_kind == "mock":
        peer.mock.requests.clear()
        peer.mock.on_request = lambda request: rules_at_first_request.append(
            vm.ruleset()) if not rules_at_first_request else None
    vm.seed(lockdown_user_data(fmt, firewall))
    boot = vm.boot()
    assert boot.ok, boot.describe()
    if peer_kind == "mock":  # lockdown comes first: the rules were there before any request
        # the backend asked for, not either one: iptables' chain or nft's table
        wanted = "BOOTSTRAPPER-IMDS" if firewall == "iptables" else "table inet bootstrapper_imds"
        assert wanted in rules_at_first_request[0], rules_at_first_request[0]
    assert vm.exists(ENV_FILE)
    rules = vm.ruleset()
    if firewall == "nftables":
        assert "table inet bootstrapper_imds" in rules and "table ip filter" not in rules
    else:
        assert "table ip filter" in rules and "table ip6 filter" in rules
    assert_locked(vm)

    # The whole user-data again, through cloud-init, with the rules in place: nothing added.
    again = vm.rerun_user_data()
    assert again.ok, again.describe()
    # It really ran twice (and, in cloud-config, once more from bootcmd in the init stage).
    assert vm.output_log().count("IMDS restricted to root") == 2 + early_runs(fmt)
    assert vm.ruleset() == rules
    assert_refused(vm, V4, NOBODY)


@pytest.mark.parametrize("fmt", FORMATS)
def test_lockdown_fails_closed(vm, peers, fmt):
    """Neither iptables nor nft: exit non-zero saying why, and never ask IMDS for anything."""
    peer = peers("mock")
    vm.remove_package("iptables")
    vm.remove_package("nftables")
    vm.seed(lockdown_user_data(fmt))
    boot = vm.boot()
    assert boot.stage("final").returncode != 0, boot.describe()
    assert [code for _, code in vm.failed_scripts()] == [1]
    lines = error_lines(vm)  # cloud-config: bootcmd's early lockdown said it first
    assert len(lines) == 1 + early_runs(fmt) and len(set(lines)) == 1 and \
        re.search(r"neither iptables nor nft", lines[0]), lines
    assert not vm.exists(ENV_FILE) and temp_leftovers(vm) == []
    assert peer.requests == []


# --- 10. reboot ----------------------------------------------------------------------------------


@BOTH_IMAGES
@pytest.mark.parametrize("peer_kind", PEERS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_lockdown_survives_reboot(vm, peers, fmt, peer_kind):
    peers(peer_kind)
    vm.seed(lockdown_user_data(fmt))
    first = vm.boot()
    assert first.ok, first.describe()
    rules = vm.ruleset()

    vm.flush_firewall()  # what a reboot does to the kernel's rules
    assert_token(vm, V4, NOBODY)

    boot = vm.reboot()  # same instance id: cloud-init does not run the user-data again
    assert boot.ok, boot.describe()
    assert [u.name for u in boot.units] == ["bootstrapper-lockdown.service",
                                            "bootstrapper-credentials.service"]
    assert vm.output_log().count("IMDS restricted to root") == 1 + 2 * early_runs(fmt)
    assert vm.ruleset() == rules
    assert_locked(vm)
    assert vm.exists(ENV_FILE)  # /run was emptied; the credentials unit wrote it again


@pytest.mark.parametrize("firewall", ["iptables", "nftables"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_allowed_user_still_locks_down(vm, peers, fmt, firewall):
    """An allowed user that does not exist (a directory service not up yet) fails the boot,
    but the rules for root and the users that do exist are in place: stricter, never open."""
    peers("mock")
    if firewall == "nftables":
        vm.remove_package("iptables")
    vm.seed(render(fmt, lockdown=True, allow_users=[ALLOWED_USER, "ghost"]))
    boot = vm.boot()
    assert boot.stage("final").returncode != 0, boot.describe()
    lines = sorted(set(error_lines(vm)))  # cloud-config: bootcmd said it first, the same
    assert len(lines) == 1 and re.search(
        rf"allowed user\(s\) ghost do not exist: IMDS is open to root and {ALLOWED_USER} only",
        lines[0]), lines
    assert not vm.exists(ENV_FILE)
    for base in (V4, V6):
        assert_token(vm, base)
        assert_token(vm, base, ALLOWED_UID)
        assert_refused(vm, base, NOBODY)


@pytest.mark.parametrize("fmt", FORMATS)
def test_refresh_puts_back_flushed_rules(vm, peers, fmt):
    """A firewall reload that flushes every rule (firewalld, `nft flush ruleset`) leaves IMDS
    open only until the next timer run: the refresh unit re-applies the lockdown first."""
    peers("mock")
    vm.seed(lockdown_user_data(fmt))
    assert vm.boot().ok
    assert_locked(vm)
    vm.flush_firewall()
    assert_token(vm, V4, NOBODY)  # open: the flush really removed the rules
    stage = vm.start_unit("bootstrapper-credentials.service")
    assert stage.returncode == 0, stage.output
    assert "IMDS restricted to root" in stage.output
    assert_locked(vm)
