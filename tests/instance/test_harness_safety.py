"""The harness never writes outside the instance: an absolute symlink of the image resolves
against the host's root when followed from the host, and `vm.write` through one once
overwrote the host's /usr/sbin/xtables-nft-multi (via /usr/sbin/iptables ->
/etc/alternatives/iptables)."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.instance


def test_write_replaces_a_link_instead_of_following_it_to_the_host(vm, tmp_path):
    host = tmp_path / "host-file"
    host.write_text("host")
    os.symlink(str(host), vm.path("/etc/escape"))
    vm.write("/etc/escape", "instance")
    assert host.read_text() == "host"
    assert not vm.path("/etc/escape").is_symlink()
    assert vm.read("/etc/escape") == "instance"


def test_write_refuses_a_directory_that_links_out(vm, tmp_path):
    os.symlink(str(tmp_path), vm.path("/etc/escape.d"))
    with pytest.raises(ValueError, match="would resolve on the host"):
        vm.write("/etc/escape.d/file", "instance")
    assert not (tmp_path / "file").exists()
