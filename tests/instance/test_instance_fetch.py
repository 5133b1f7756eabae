"""Issue 9, cases 1-8: the rendered user-data fetches credentials at first boot, booted by
Debian's real cloud-init on the simulated instance, against the mock IMDSv2 and moto_server."""

from __future__ import annotations

import os

import pytest

from bootstrapper.testing.imds import Faults
from instance_support import (BOTH_IMAGES, ENV_FILE, FORMATS, PEERS, assert_failed,
                              assert_healthy, botocore_in_instance, render)

pytestmark = pytest.mark.instance


# --- 1. healthy ---------------------------------------------------------------------------------


@BOTH_IMAGES
@pytest.mark.parametrize("peer_kind", PEERS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_healthy(vm, peers, fmt, peer_kind):
    peer = peers(peer_kind)
    vm.seed(render(fmt))
    boot = vm.boot()
    env = assert_healthy(vm, peer, boot)
    # Debian's botocore, run by the app user after `. file`, takes them as they are.
    method, key, secret, token, region = botocore_in_instance(vm)
    assert method == "env"
    assert (key, secret, token, region) == (env["AWS_ACCESS_KEY_ID"],
                                            env["AWS_SECRET_ACCESS_KEY"],
                                            env["AWS_SESSION_TOKEN"], env["AWS_REGION"])
    requests = peer.requests
    assert requests[0][:2] == ("PUT", "/latest/api/token")
    assert all(method in ("PUT", "GET") for method, _, _ in requests)
    assert len(requests) <= 4, requests
    if peer_kind == "mock":  # the mock checks every token it issued; moto takes any
        gets = [r for r in peer.mock.requests if r.method == "GET"]
        assert gets and all(r.token_ok for r in gets)
    logs = vm.output_log() + vm.cloud_init_log()
    for secret in peer.secrets():
        assert secret not in logs
    assert "credentials for role" in vm.output_log()


@pytest.mark.parametrize("shell", ["bash", "busybox"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_healthy_with_another_sh(vm, peers, fmt, shell):
    """/bin/sh is bash (RHEL-likes, Amazon Linux) or busybox ash (Alpine), not dash."""
    vm.set_sh(shell)
    peer = peers("mock")
    vm.seed(render(fmt))
    assert_healthy(vm, peer, vm.boot())


# --- 2. IMDS comes up late -----------------------------------------------------------------------


@pytest.mark.parametrize("peer_kind", PEERS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_imds_up_late(vm, peers, fmt, peer_kind):
    """Connection refused for 5 s after the user-data starts; then it succeeds within 2 s."""
    peer = peers(peer_kind, Faults(start_after=5), now=False)
    vm.seed(render(fmt))
    boot = vm.boot(hooks={"final": peer.start})  # cloud-init's final stage runs the user-data
    assert_healthy(vm, peer, boot)
    listening = peer.listening_since()
    written = os.stat(vm.path(ENV_FILE)).st_mtime
    assert listening is not None and listening <= written <= listening + 2, \
        f"written {written - listening:.2f}s after IMDS came up"


# --- 3. transient errors -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 429])
@pytest.mark.parametrize("fmt", FORMATS)
def test_retries_transient_errors_with_backoff(vm, peers, fmt, status):
    peer = peers("mock", Faults(fail_first=3, fail_status=status))
    vm.seed(render(fmt))
    assert_healthy(vm, peer, vm.boot())
    log = peer.mock.requests
    assert [r.status for r in log[:3]] == [status] * 3
    assert [r.status for r in log[3:]] == [200] * (len(log) - 3) and len(log) <= 7
    gaps = [b.time - a.time for a, b in zip(log, log[1:4])]  # waits of 0.1, 0.2, 0.5 s
    assert all(gap >= 0.08 for gap in gaps), f"no backoff between retries: {gaps}"
    assert gaps[2] > gaps[0] + 0.2, f"the waits do not grow: {gaps}"


# --- 4. expired token ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_expired_token_is_replaced(vm, peers, fmt):
    peer = peers("mock", Faults(expire_first_token=True))
    vm.seed(render(fmt))
    assert_healthy(vm, peer, vm.boot())
    log = peer.mock.requests
    puts = [r for r in log if r.method == "PUT"]
    assert len(puts) == 2, [(r.method, r.path, r.status) for r in log]
    assert log[1].status == 401
    assert all(r.token_ok for r in log if r.method == "GET" and r.status == 200)


# --- 5. no role ----------------------------------------------------------------------------------


@BOTH_IMAGES
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_role(vm, peers, fmt):
    peers("mock", Faults(no_role=True))
    vm.seed(render(fmt, role_wait=2))
    assert_failed(vm, vm.boot(), r"no IAM role is attached")


# --- 6. IMDS never answers -----------------------------------------------------------------------


@pytest.mark.parametrize("silence", ["hang", "refused"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_fails_at_deadline(vm, peers, fmt, silence):
    """A service that accepts and never answers, or nothing listening: fail at the deadline."""
    if silence == "hang":
        peers("mock", Faults(hang=True))
    deadline = 6
    vm.seed(render(fmt, deadline=deadline))
    boot = vm.boot()
    assert_failed(vm, boot, r"no answer from IMDS")
    took = boot.stage("final").seconds  # the fetch, plus about half a second of cloud-init
    assert deadline <= took <= deadline + 2.5, f"final stage took {took:.1f}s"


# --- 7. no curl ----------------------------------------------------------------------------------


@pytest.mark.parametrize("peer_kind", PEERS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_gnu_wget_without_curl(vm, peers, fmt, peer_kind):
    vm.remove_package("curl")
    assert not vm.exists("/usr/bin/curl")
    peer = peers(peer_kind)
    vm.seed(render(fmt))
    assert_healthy(vm, peer, vm.boot())
    if peer_kind == "mock":
        agents = {r.header("User-Agent") or "" for r in peer.mock.requests}
        assert agents and all(agent.startswith("Wget/") for agent in agents), agents
        assert all(r.token_ok for r in peer.mock.requests if r.method == "GET")


@pytest.mark.parametrize("wget", ["absent", "busybox"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_http_client(vm, peers, fmt, wget):
    """Neither curl nor GNU Wget 1.15+ (busybox wget cannot PUT): a clear error, no request."""
    peer = peers("mock")
    vm.remove_package("curl")
    vm.remove_package("wget")
    if wget == "busybox":
        vm.path("/usr/bin/wget").symlink_to("busybox")
    vm.seed(render(fmt))
    assert_failed(vm, vm.boot(), r"neither curl nor GNU Wget 1\.15\+ is installed \(IMDSv2 "
                                 r"needs a PUT\): install curl")
    assert peer.requests == []


# --- 8. IPv6 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("peer_kind", PEERS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_ipv6_endpoint(vm, peers, fmt, peer_kind):
    host = "fd00:ec2::254"
    peer = peers(peer_kind, host=host)  # serves IPv6 only: an IPv4 request would be refused
    vm.seed(render(fmt, imds_endpoint="http://[fd00:ec2::254]"))
    assert_healthy(vm, peer, vm.boot())
    assert peer.requests
    if peer_kind == "mock":
        assert {r.client for r in peer.mock.requests} == {"fd00::10"}



# --- beyond the list: an answer cut short ------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("client", ["curl", "wget"])
def test_answer_cut_short_is_retried(vm, peers, fmt, client):
    """A 200 whose body stops halfway (the connection drops) is no answer: ask again, never
    write half a value (here the region would have been `eu-cen`)."""
    if client == "wget":
        vm.remove_package("curl")
    peer = peers("mock", Faults(cut_short="/latest/meta-data/placement/region"))
    vm.seed(render(fmt))
    env = assert_healthy(vm, peer, vm.boot())
    assert env["AWS_REGION"] == peer.mock.instance.region
    regions = [r for r in peer.mock.requests if r.path.endswith("/placement/region")]
    assert len(regions) == 2


# --- beyond the list: --format mime with the user's own parts ----------------------------


@BOTH_IMAGES
def test_mime_with_user_parts(vm, peers, tmp_path):
    """cloud-init's own MIME handling and merging: the user's cloud-config keeps its runcmd
    next to ours, and the user's script runs after the credentials exist."""
    config = tmp_path / "user.yaml"
    config.write_text("#cloud-config\nruncmd:\n- [touch, /var/tmp/user-runcmd-ran]\n")
    script = tmp_path / "app.sh"
    script.write_text("#!/bin/sh\nset -e\n. /run/bootstrapper/credentials.env\n"
                      "test -n \"$AWS_SESSION_TOKEN\"\ntouch /var/tmp/user-script-saw-creds\n")
    peer = peers("mock")
    vm.seed(render("mime", parts=[str(config), str(script)]))
    assert_healthy(vm, peer, vm.boot())
    assert vm.exists("/var/tmp/user-runcmd-ran")
    assert vm.exists("/var/tmp/user-script-saw-creds")
