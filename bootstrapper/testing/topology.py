"""A network around a simulated instance, for traffic the instance forwards (issue 18).

In the instance's own namespace IMDS sits on `lo`, so a packet from a container behind the
instance would be delivered locally (INPUT), never forwarded: the lockdown's FORWARD rules
would not be what a test exercises. `Topology` makes IMDS off-box, as on EC2:

    container ns (172.17.0.2) --veth-- instance ns --veth-- metadata ns (169.254.169.254 on lo)

The instance routes the IMDS addresses to the metadata namespace and forwards between its
two veths (as a Docker bridge host does); its own traffic to IMDS still leaves through
OUTPUT. Start the IMDS (the mock) in `topology.metadata_ns`.

    with SimulatedInstance(root) as vm, Topology(vm) as net, \\
            MockImds(addresses=vm.imds_addresses, netns=net.metadata_ns):
        net.container_run(["curl", ...])
"""

from __future__ import annotations

import secrets
import subprocess

from .instance import IMDS_V4, IMDS_V6, INSTANCE_V4, INSTANCE_V6, _check

CONTAINER_V4, BRIDGE_V4 = "172.17.0.2", "172.17.0.1"
CONTAINER_V6, BRIDGE_V6 = "fd00:17::2", "fd00:17::1"
LINK_V4, METADATA_V4 = "10.99.0.1", "10.99.0.2"
LINK_V6, METADATA_V6 = "fd00:99::1", "fd00:99::2"


class Topology:
    """A container namespace and a metadata namespace on either side of `vm`'s."""

    def __init__(self, vm) -> None:
        self.vm = vm
        tag = secrets.token_hex(3)
        self.metadata_ns, self.container_ns = f"bst-md-{tag}", f"bst-ct-{tag}"
        self._made: list[str] = []

    def create(self) -> "Topology":
        try:
            for ns in (self.metadata_ns, self.container_ns):
                _check(["ip", "netns", "add", ns])
                self._made.append(ns)
                _ip(ns, "link", "set", "lo", "up")
            self._metadata_host()
            self._container()
            for key in ("net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"):
                _check(["ip", "netns", "exec", self.vm.netns, "sysctl", "-qw", key])
        except BaseException:
            self.destroy()
            raise
        return self

    def _metadata_host(self) -> None:
        vm, md = self.vm.netns, self.metadata_ns
        _veth(vm, "imds0", (LINK_V4, LINK_V6), md, (METADATA_V4, METADATA_V6), 30)
        # IMDS leaves the instance: off its lo (and the local routes made for it)...
        for args in (("addr", "del", f"{IMDS_V4}/32", "dev", "lo"),
                     ("addr", "del", f"{IMDS_V6}/128", "dev", "lo"),
                     ("route", "del", "local", IMDS_V4, "table", "local"),
                     ("-6", "route", "del", "local", IMDS_V6, "table", "local")):
            subprocess.run(["ip", "-n", vm, *args], capture_output=True)
        # ...onto the metadata host, routed from the instance's own address as on EC2.
        _ip(md, "addr", "add", f"{IMDS_V4}/32", "dev", "lo")
        _ip(md, "addr", "add", f"{IMDS_V6}/128", "dev", "lo", "nodad")
        _ip(vm, "route", "add", f"{IMDS_V4}/32", "via", METADATA_V4, "src", INSTANCE_V4)
        _ip(vm, "-6", "route", "add", f"{IMDS_V6}/128", "via", METADATA_V6, "src", INSTANCE_V6)

    def _container(self) -> None:
        _veth(self.vm.netns, "docker0", (BRIDGE_V4, BRIDGE_V6), self.container_ns,
              (CONTAINER_V4, CONTAINER_V6), 16)

    def container_run(self, argv: list[str], timeout: float = 30) -> subprocess.CompletedProcess:
        """Run a host program in the container's namespace (uid 0 there: a container's root)."""
        return subprocess.run(["ip", "netns", "exec", self.container_ns, *argv],
                              capture_output=True, text=True, timeout=timeout, check=False)

    def destroy(self) -> None:
        for ns in self._made:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self._made.clear()

    def __enter__(self) -> "Topology":
        return self.create()

    def __exit__(self, *exc) -> None:
        self.destroy()


def _ip(ns: str, *args: str) -> None:
    _check(["ip", "-n", ns, *args])


def _veth(near_ns: str, near: str, near_addresses: tuple[str, str], far_ns: str,
          far_addresses: tuple[str, str], prefix_v4: int) -> None:
    """A veth pair: `near` in near_ns, eth0 in far_ns, both up with an IPv4 (/prefix_v4)
    and an IPv6 (/64) address; far_ns's default routes go through near's addresses."""
    _ip(near_ns, "link", "add", near, "type", "veth", "peer", "name", "eth0", "netns", far_ns)
    for ns, dev, (v4, v6) in ((near_ns, near, near_addresses), (far_ns, "eth0", far_addresses)):
        _ip(ns, "addr", "add", f"{v4}/{prefix_v4}", "dev", dev)
        _ip(ns, "addr", "add", f"{v6}/64", "dev", dev, "nodad")
        _ip(ns, "link", "set", dev, "up")
    _ip(far_ns, "route", "add", "default", "via", near_addresses[0])
    _ip(far_ns, "-6", "route", "add", "default", "via", near_addresses[1])
