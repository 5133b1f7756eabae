"""Fixtures for booting rendered user-data on the simulated instance (issues 9 and 13).

The Debian images for the session (built by `python -m bootstrapper.testing.image build`),
one overlay and network namespace per test, and an IMDS peer inside it: the mock IMDSv2
(`bootstrapper.testing.imds`) or moto_server. Everything a test starts is stopped and removed
by finalizers, whatever the outcome. Without root, `ip netns`, systemd-nspawn or an image every
test here skips with the reason (tests/conftest.py turns that into a failure in CI).

Which image: Debian 12 (cloud-init 22.4) unless the test asks for both with `@BOTH_IMAGES`
(instance_support), which parametrizes the `suite` fixture. Which mode: systemd as PID 1
(systemd-nspawn) for every image that has systemd; a test module that must run a shape
without systemd (the busybox-only cells of the portability matrix) overrides `vm_mode`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrapper.testing import image, instance
from bootstrapper.testing.imds import Faults
from instance_support import ALLOWED_UID, ALLOWED_USER, APP_UID, APP_USER, Peer


@pytest.fixture
def suite(request) -> str:
    """The Debian suite the test boots: bookworm, unless parametrized (BOTH_IMAGES)."""
    return getattr(request, "param", image.SUITE)


@pytest.fixture
def image_root(suite) -> Path:
    root = image.root(suite=suite)
    reason = instance.unavailable(root)
    if reason:
        pytest.skip(f"{suite}: {reason}")
    return root


@pytest.fixture
def vm_mode() -> str | None:
    """None: the instance's default (systemd when the image has it)."""
    return None


@pytest.fixture
def vm(image_root, vm_mode):
    """A fresh instance: its own namespace and overlay, with the app user and an allowed
    user already in the image (as a real AMI would have them)."""
    with instance.SimulatedInstance(image_root, mode=vm_mode) as vm:
        if vm_mode is None:  # never a silent fallback: these images boot with systemd
            assert vm.mode == "systemd", f"{image_root} would boot without systemd"
        vm.add_user(APP_USER, APP_UID)
        vm.add_user(ALLOWED_USER, ALLOWED_UID)
        yield vm


@pytest.fixture
def peers(vm):
    """peers(kind, faults=None, host="both", role=None) -> a started Peer, stopped at the end."""
    started: list[Peer] = []

    def start(kind: str, faults: Faults | None = None, host: str = "both",
              role: str | None = None, now: bool = True) -> Peer:
        peer = Peer(vm, kind, faults, host, role)
        started.append(peer)
        return peer.start() if now else peer

    yield start
    for peer in started:
        peer.stop()
