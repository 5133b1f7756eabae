"""Fixtures for booting rendered user-data on the simulated instance (issue 9).

One Debian image for the session (built by `python -m bootstrapper.testing.image build`), one
overlay and network namespace per test, and an IMDS peer inside it: the mock IMDSv2
(`bootstrapper.testing.imds`) or moto_server. Everything a test starts is stopped and removed
by finalizers, whatever the outcome. Without root, `ip netns` or the image every test here
skips with the reason (tests/conftest.py turns that into a failure in CI).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrapper.testing import image, instance
from bootstrapper.testing.imds import Faults
from instance_support import ALLOWED_UID, ALLOWED_USER, APP_UID, APP_USER, Peer


@pytest.fixture(scope="session")
def image_root() -> Path:
    root = image.root()
    reason = instance.unavailable(root)
    if reason:
        pytest.skip(reason)
    return root


@pytest.fixture
def vm(image_root):
    """A fresh instance: its own namespace and overlay, with the app user and an allowed
    user already in the image (as a real AMI would have them)."""
    with instance.SimulatedInstance(image_root) as vm:
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
