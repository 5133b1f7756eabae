"""systemd as PID 1 of the simulated instance: one systemd-nspawn container per boot.

    box = Container(name, root, netns, console=path)
    box.start(timeout=60)           # nspawn --boot, returns once PID 1 answers systemctl
    box.enter(["systemctl", ...])   # the host argv that runs a command inside (nsenter)
    box.stop(timeout=30)            # a clean poweroff (SIGTERM to nspawn), then SIGKILL

The container lives in the instance's network namespace (its firewall is the instance's),
on the overlay the chroot mode uses, with CAP_NET_ADMIN so iptables and nft work inside.
The host here has no systemd as PID 1 and no D-Bus: `--register=no --keep-unit` keeps nspawn
from asking the host's systemd for a scope, so each container gets a cgroup of its own made
here (two nspawns sharing one cgroup tread on each other's `payload` subgroup). Commands run
inside through `nsenter` into PID 1's namespaces, never through machined.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CGROUP_ROOT = Path("/sys/fs/cgroup")
# Moves the shell into each cgroup given before `--`, then execs nspawn with the rest.
_JOIN = """for dir in "$@"; do
	shift
	[ "$dir" = -- ] && break
	echo $$ >"$dir/cgroup.procs"
done
exec "$@"
"""


class ContainerError(RuntimeError):
    """The container did not start, or PID 1 never answered."""


def available() -> str | None:
    """Why nspawn cannot run here, or None."""
    if shutil.which("systemd-nspawn") is None:
        return "systemd-nspawn is not installed (apt-get install systemd-container)"
    if shutil.which("nsenter") is None:
        return "nsenter is not installed (apt-get install util-linux)"
    if not cgroup_mounts():
        return "no cgroup hierarchy for systemd (neither cgroup2 nor name=systemd is mounted)"
    return None


def cgroup_mounts() -> list[Path]:
    """The hierarchies nspawn places a container in: the cgroup2 tree (unified or hybrid
    host) and the legacy `name=systemd` one (hybrid or legacy host)."""
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        sep = fields.index("-")
        kind, options = fields[sep + 1], fields[-1]
        if kind == "cgroup2" or (kind == "cgroup" and "name=systemd" in options.split(",")):
            found.append(Path(fields[4]))
    return found


class Container:
    def __init__(self, name: str, root: Path, netns: str, console: Path,
                 unified: bool = True) -> None:
        self.name, self.root, self.netns = name, Path(root), netns
        self.console, self.unified = Path(console), unified
        self.cgroups = [mount / f"bootstrapper-{name}" for mount in cgroup_mounts()]
        self.process: subprocess.Popen | None = None
        self.pid1: int | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self, timeout: float = 60) -> None:
        for cgroup in self.cgroups:
            cgroup.mkdir(exist_ok=True)
        argv = ["systemd-nspawn", "--quiet", "--register=no", "--keep-unit",
                f"--machine={self.name}", f"--directory={self.root}",
                f"--network-namespace-path=/run/netns/{self.netns}",
                "--capability=CAP_NET_ADMIN", "--console=read-only", "--boot"]
        env = {"PATH": PATH, "LANG": "C.UTF-8"}
        if self.unified:  # systemd 256+ (Debian 13) boots only on the unified tree
            env["SYSTEMD_NSPAWN_UNIFIED_HIERARCHY"] = "1"
        with open(self.console, "ab") as log:
            self.process = subprocess.Popen(
                ["sh", "-c", _JOIN, "join", *map(str, self.cgroups), "--", *argv],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True)
        try:
            self.pid1 = self._find_pid1(timeout)
            self._wait_for_manager(time.monotonic() + timeout)
        except BaseException:
            self.stop()
            raise

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 30) -> None:
        """Power off: nspawn turns SIGTERM into the container's clean shutdown (units stop,
        journald flushes). A container that does not stop in time is killed."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    _killpg(self.process.pid)
                    self.process.wait()
            self.process = None
        self.pid1 = None
        for cgroup in self.cgroups:
            _remove_cgroup(cgroup)

    # --- inside ----------------------------------------------------------------------------

    def enter(self, argv: list[str]) -> list[str]:
        """The host argv that runs `argv` inside, as root, with a clean environment."""
        if self.pid1 is None:
            raise ContainerError("the container is not running")
        return ["nsenter", "-t", str(self.pid1), "-m", "-u", "-i", "-n", "-p", "-r", "-w",
                "--", "/usr/bin/env", "-i", f"PATH={PATH}", "LANG=C.UTF-8", "HOME=/root",
                *argv]

    def host_path(self, inside: str) -> Path:
        """A path inside as the host sees it, through PID 1's root (its tmpfs /run too)."""
        return Path(f"/proc/{self.pid1}/root") / inside.lstrip("/")

    def console_text(self) -> str:
        return self.console.read_text(errors="replace") if self.console.exists() else ""

    # --- helpers ---------------------------------------------------------------------------

    def _find_pid1(self, timeout: float) -> int:
        """The container's PID 1: the nspawn descendant whose innermost PID is 1."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ContainerError(f"systemd-nspawn exited ({self.process.returncode}) "
                                     f"before booting:\n{self.console_text()[-3000:]}")
            for pid in _descendants(self.process.pid):
                if _nspid(pid)[-1:] == ["1"] and len(_nspid(pid)) > 1:
                    return pid
            time.sleep(0.05)
        raise ContainerError(f"no PID 1 in the container after {timeout:.0f}s")

    def _wait_for_manager(self, deadline: float) -> None:
        """Until systemd inside answers on its private socket."""
        while True:
            done = subprocess.run(self.enter(["systemctl", "show", "-p", "Version"]),
                                  capture_output=True, text=True)
            if done.returncode == 0:
                return
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise ContainerError(f"systemd in the container never answered: "
                                     f"{done.stderr.strip()}\n{self.console_text()[-3000:]}")
            time.sleep(0.05)


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                children = Path(f"/proc/{parent}/task/{task}/children").read_text().split()
            except FileNotFoundError:
                continue
            for child in map(int, children):
                found.append(child)
                queue.append(child)
    return found


def _nspid(pid: int) -> list[str]:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return []
    for line in status.splitlines():
        if line.startswith("NSpid:"):
            return line.split()[1:]
    return []


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _remove_cgroup(top: Path) -> None:
    """rmdir the cgroup and what the container's systemd left under it, deepest first."""
    if not top.is_dir():
        return
    for _ in range(50):  # the last processes may take a moment to leave
        for directory in sorted((p for p in top.rglob("*") if p.is_dir()),
                                key=lambda p: len(p.parts), reverse=True) + [top]:
            try:
                directory.rmdir()
            except OSError:
                pass
        if not top.exists():
            return
        time.sleep(0.1)
