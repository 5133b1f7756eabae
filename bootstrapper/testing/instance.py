"""A simulated EC2 instance: a network namespace, an overlay of the Debian image, real cloud-init.

    with SimulatedInstance(image.root()) as vm, MockImds(addresses=vm.imds_addresses,
                                                          netns=vm.netns) as imds:
        vm.seed(user_data)
        boot = vm.boot()            # systemd boots; returns once cloud-final.service is done
        assert boot.ok, boot.describe()
        vm.read("/run/bootstrapper/credentials.env")

Two modes. `systemd` (the default for an image that has systemd): systemd-nspawn boots the
overlay with systemd as PID 1 (container.py, systemd_mode.py), which starts cloud-init's own
units, the units the user-data installs and the image's own, in their order; `reboot()`
powers it off, flushes the namespace's firewall and boots it again. `chroot` (images without
systemd, such as the busybox shapes, or when asked): cloud-init's four stages run by hand,
one after the other, and a reboot runs the ExecStart= lines of the enabled units by hand.

The namespace has only loopback, with 169.254.169.254/32 and fd00:ec2::254/128 on it (and the
instance's own address, the source of its requests): the instance's private network, where
the mock (imds.py) or moto_server (moto.py) is the IMDS.
In chroot mode (and before the first boot) every command runs as
`ip netns exec NS unshare --mount --uts --pid --fork` and then chroot into the overlay, with
fresh /proc and /sys and a private /dev mounted inside that private mount namespace: the
mounts vanish with the process, the hostname cloud-init sets stays inside, and nothing it
started outlives it (the PID namespace ends with its first process). /run is a directory of
the overlay that `reboot()` empties, as a tmpfs would be. While the container runs, commands
enter it with nsenter and paths resolve through its PID 1's root.

Needs root, iproute2 (`ip netns`), util-linux (`unshare`, `nsenter`), overlayfs and, for an
image with systemd, systemd-nspawn; `unavailable()` says why not, for a test to skip with.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from bootstrapper.testing import container as nspawn
from bootstrapper.testing.boots import Boot, Stage
from bootstrapper.testing.systemd_mode import SystemdMode, has_systemd

IMDS_V4 = "169.254.169.254"
IMDS_V6 = "fd00:ec2::254"
INSTANCE_V4 = "10.0.0.10"  # the instance's own address (its ENI's, on EC2)
INSTANCE_V6 = "fd00::10"
STAGES = (
    ("local", ("init", "--local")),
    ("network", ("init",)),
    ("config", ("modules", "--mode", "config")),
    ("final", ("modules", "--mode", "final")),
)
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Runs on the host side of the chroot, inside the private mount namespace: $1 is the root.
# /dev is a private tmpfs with the few nodes a boot uses, never the host's own /dev: a
# script that renames a file onto /dev/null in there must not replace the host's.
_ENTER = """set -e
root=$1; shift
mount --make-rprivate /
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount -t tmpfs -o mode=0755,nosuid dev "$root/dev"
mknod -m 666 "$root/dev/null" c 1 3
mknod -m 666 "$root/dev/zero" c 1 5
mknod -m 666 "$root/dev/full" c 1 7
mknod -m 666 "$root/dev/random" c 1 8
mknod -m 666 "$root/dev/urandom" c 1 9
mknod -m 666 "$root/dev/tty" c 5 0
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mkdir "$root/dev/pts" "$root/dev/shm"
chroot "$root" /usr/bin/env -i PATH={path} LANG=C.UTF-8 HOME=/root "$@"
""".format(path=PATH)


def unavailable(image_root: Path | None) -> str | None:
    """Why the simulated instance cannot run here, or None when it can."""
    if os.geteuid() != 0:
        return "the simulated instance needs root (ip netns, mount, chroot)"
    for tool in ("ip", "unshare", "mount", "nft"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install iproute2 util-linux nftables)"
    if image_root is None:
        return ("the Debian test image is not built: run "
                "`python -m bootstrapper.testing.image build` (./dev test does)")
    if has_systemd(Path(image_root)):
        reason = nspawn.available()
        if reason:
            return f"the image boots with systemd, but {reason}"
    probe = f"bst-probe-{secrets.token_hex(3)}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"cannot create a network namespace: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


class SimulatedInstance(SystemdMode):
    """A network namespace plus an overlay of the image; create() / destroy() or a with-block."""

    imds_addresses = [(IMDS_V4, 80), (IMDS_V6, 80)]

    def __init__(self, image_root: Path, workdir: Path | None = None,
                 name: str | None = None, mode: str | None = None) -> None:
        self.image = Path(image_root)
        self.mode = mode or ("systemd" if has_systemd(self.image) else "chroot")
        if self.mode not in ("systemd", "chroot"):
            raise ValueError(f"mode must be systemd or chroot, not {self.mode!r}")
        if self.mode == "systemd" and not has_systemd(self.image):
            raise ValueError(f"mode systemd: {self.image} has no systemd to boot")
        # Unique per instance: the namespace, the container's name and its cgroups.
        self.netns = name or f"bst-{secrets.token_hex(4)}"
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="bootstrapper-instance-"))
        self.root = self.workdir / "root"
        self.instance_id = f"i-{secrets.token_hex(8)}"
        self._netns_made = self._mounted = False
        self._children: list[subprocess.Popen] = []
        self.container: nspawn.Container | None = None
        self.boots = 0

    # --- lifecycle ---------------------------------------------------------------------

    def create(self) -> "SimulatedInstance":
        try:
            self._ip("netns", "add", self.netns)
            self._netns_made = True
            self._ip("-n", self.netns, "link", "set", "lo", "up")
            self._ip("-n", self.netns, "addr", "add", f"{IMDS_V4}/32", "dev", "lo")
            self._ip("-n", self.netns, "addr", "add", f"{IMDS_V6}/128", "dev", "lo", "nodad")
            self._own_address()
            for sub in ("upper", "work"):
                (self.workdir / sub).mkdir(parents=True, exist_ok=True)
            self.root.mkdir(exist_ok=True)
            _check(["mount", "-t", "overlay", "overlay", "-o",
                    f"lowerdir={self.image},upperdir={self.workdir / 'upper'},"
                    f"workdir={self.workdir / 'work'}", str(self.root)])
            self._mounted = True
            if self.mode == "systemd":
                self._prepare_for_systemd()
        except BaseException:
            self.destroy()
            raise
        return self

    def destroy(self) -> None:
        """Stop what was started in it, drop the namespace and the overlay. Safe to repeat."""
        self.shutdown()
        for child in self._children:
            stop_process(child)
        self._children.clear()
        if self._mounted:
            subprocess.run(["umount", "-l", str(self.root)], capture_output=True)
            self._mounted = False
        if self._netns_made:
            subprocess.run(["ip", "netns", "del", self.netns], capture_output=True)
            self._netns_made = False
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "SimulatedInstance":
        return self.create()

    def __exit__(self, *exc) -> None:
        self.destroy()

    # --- running things inside -----------------------------------------------------------

    def command(self, argv: list[str] | tuple[str, ...]) -> list[str]:
        """The host argv that runs `argv` in the instance: inside the running container
        (nsenter), else in the namespace, private mounts and chroot."""
        if self.running():
            return self.container.enter(list(argv))
        return ["ip", "netns", "exec", self.netns, "unshare", "--mount", "--uts", "--pid",
                "--fork", "--kill-child", "sh", "-c", _ENTER, "enter", str(self.root), *argv]

    def run(self, argv, *, uid: int | None = None, timeout: float = 60,
            input: str | None = None) -> subprocess.CompletedProcess:
        """Run `argv` in the instance (as root, or as `uid` through setpriv); never raises on
        a non-zero exit."""
        if uid is not None:
            argv = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--",
                    *argv]
        with subprocess.Popen(self.command(list(argv)), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True) as child:
            try:
                out, err = child.communicate(input, timeout=timeout)
            except subprocess.TimeoutExpired:
                stop_process(child)  # the private PID namespace takes everything in it along
                raise
        return subprocess.CompletedProcess(child.args, child.returncode, out, err)

    def run_as(self, uid: int, argv) -> subprocess.CompletedProcess:
        return self.run(argv, uid=uid)

    def sh(self, script: str, *, uid: int | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess:
        return self.run(["/bin/sh", "-c", script], uid=uid, timeout=timeout)

    def spawn(self, argv, **popen) -> subprocess.Popen:
        """Start a long-running process in the namespace (not chrooted: a host program such
        as moto_server); stopped by destroy()."""
        child = subprocess.Popen(["ip", "netns", "exec", self.netns, *argv],
                                 start_new_session=True, **popen)
        self._children.append(child)
        return child

    # --- files ---------------------------------------------------------------------------

    def path(self, inside: str) -> Path:
        """The host path of a path inside the instance (does not follow its symlinks).
        While the container runs, through its PID 1's root: its tmpfs /run and /tmp too."""
        if self.running():
            return self.container.host_path(inside)
        return self.root / inside.lstrip("/")

    def read(self, inside: str) -> str:
        return self.path(inside).read_text()

    def exists(self, inside: str) -> bool:
        return os.path.lexists(self.path(inside))

    def write(self, inside: str, content: str | bytes, mode: int = 0o644) -> None:
        """Write a file of the instance from the host, never through a symlink: the kernel
        resolves an absolute link of the image (`/usr/sbin/iptables` -> `/etc/alternatives/`)
        against the host's root, and writing through one once overwrote a host binary. A
        link at `inside` is replaced by the file; an absolute link on the way is refused."""
        target = self._host_target(inside)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
        with os.fdopen(fd, "wb") as out:
            out.write(content.encode() if isinstance(content, str) else content)
        os.chmod(target, mode)

    def _host_target(self, inside: str) -> Path:
        base = self.path("/")
        parts = Path(inside.lstrip("/")).parts
        here = base
        for part in parts[:-1]:
            here = here / part
            if here.is_symlink() and os.readlink(here).startswith("/"):
                raise ValueError(f"{inside}: /{here.relative_to(base)} links to "
                                 f"{os.readlink(here)}, which would resolve on the host; "
                                 "write the path it points to")
        return base.joinpath(*parts)

    def output_log(self) -> str:
        """/var/log/cloud-init-output.log: everything the user-data printed."""
        log = self.path("/var/log/cloud-init-output.log")
        return log.read_text(errors="replace") if log.exists() else ""

    def cloud_init_log(self) -> str:
        log = self.path("/var/log/cloud-init.log")
        return log.read_text(errors="replace") if log.exists() else ""

    def failed_scripts(self) -> list[tuple[str, int]]:
        """User-data scripts (and runcmd) cloud-init ran that failed: (command, exit status),
        from its log."""
        pattern = (r"Unexpected error while running command\.\n"
                   r"Command: (\['/var/lib/cloud/instance/scripts/.+)\nExit code: (-?\d+)")
        return [(m.group(1), int(m.group(2))) for m in
                re.finditer(pattern, self.cloud_init_log())]

    # --- shaping the image ---------------------------------------------------------------

    def add_user(self, name: str, uid: int) -> None:
        _check(self.command(["useradd", "--uid", str(uid), "--user-group", "--no-create-home",
                             "--shell", "/usr/sbin/nologin", name]))

    def remove_package(self, package: str) -> list[str]:
        """Make this an image without `package`: its files gone from the overlay, and the
        alternatives links that pointed at them (`iptables` -> iptables-nft). dpkg still
        lists it; nothing at boot asks dpkg. Directories stay (`/lib` is a link to one)."""
        listing = self.path(f"/var/lib/dpkg/info/{package}.list")
        removed = []
        for line in listing.read_text().splitlines():
            target = self.path(line)
            if line and not target.is_dir() and (target.is_symlink() or target.is_file()):
                target.unlink()
                removed.append(line)
        for directory in ("/usr/bin", "/usr/sbin", "/etc/alternatives"):
            for entry in self.path(directory).iterdir():
                if entry.is_symlink() and not self._resolves(entry):
                    entry.unlink()
                    removed.append(f"{directory}/{entry.name}")
        return removed

    def _resolves(self, link: Path) -> bool:
        """Whether a symlink inside the instance resolves there (absolute targets are
        relative to the instance root, not the host's)."""
        for _ in range(16):
            target = os.readlink(link)
            link = self.path(target) if target.startswith("/") else link.parent / target
            if not link.is_symlink():
                return link.exists()
        return False

    def set_sh(self, shell: str) -> None:
        """Make /bin/sh a symlink to `shell` (dash, bash or busybox, in /usr/bin)."""
        link = self.path("/usr/bin/sh")
        link.unlink()
        link.symlink_to(shell)

    # --- booting -------------------------------------------------------------------------

    def seed(self, user_data: bytes | str, instance_id: str | None = None) -> None:
        """The NoCloud seed cloud-init reads: user-data and an instance-id (the same id on a
        later boot is a reboot; a new one makes cloud-init run the user-data again)."""
        self.instance_id = instance_id or self.instance_id
        self.write("/var/lib/cloud/seed/nocloud/user-data", user_data, 0o600)
        self.write("/var/lib/cloud/seed/nocloud/meta-data",
                   f"instance-id: {self.instance_id}\nlocal-hostname: simulated\n", 0o600)

    def boot(self, hooks: dict | None = None, timeout: float = 300) -> Boot:
        """Boot and wait (at most `timeout` s) until cloud-init's final stage has finished
        or failed. `hooks` maps a stage name (local, network, config, final) to a callable
        run when that stage starts (systemd mode: as soon as its unit is seen starting;
        chroot mode: just before it)."""
        if self.mode == "systemd":
            return self._boot_systemd(hooks or {}, timeout)
        return self._boot_chroot(hooks, timeout)

    def _boot_chroot(self, hooks: dict | None, timeout: float) -> Boot:
        """cloud-init's four stages, in order, as systemd would start them. A stage that
        fails ends the boot, like a failed unit that later ones require."""
        result = Boot(started=time.time())
        for name, args in STAGES:
            if hooks and name in hooks:
                hooks[name]()
            result.stages.append(self._timed(name, ["cloud-init", *args], timeout))
            if result.stages[-1].returncode != 0 and name != "final":
                break
        result.ended = time.time()
        return result

    def rerun_user_data(self, timeout: float = 300) -> Boot:
        """Run the whole user-data again on the running instance, through cloud-init itself:
        `cloud-init single --frequency always` of the modules that carry it (write_files,
        runcmd, scripts_user), in the order a boot runs them."""
        result = Boot(started=time.time())
        for module in ("write_files", "runcmd", "scripts_user"):
            argv = ["cloud-init", "single", "--name", module, "--frequency", "always"]
            result.stages.append(self._timed(module, argv, timeout))
        result.ended = time.time()
        return result

    def reboot(self, timeout: float = 300) -> Boot:
        """A reboot: power off, the firewall and /run are empty again (the kernel forgets
        rules; /run is a tmpfs), /etc and /var stay, and the same instance id boots again.
        In systemd mode systemd starts whatever is enabled; in chroot mode the units the
        user-data enabled for sysinit.target run first (as systemd starts them before
        cloud-init-local), then cloud-init's stages, then the other enabled services (a timer
        only matters minutes later)."""
        if self.mode == "systemd":
            self.shutdown()
            self.flush_firewall()
            self.clear_run()
            return self.boot(timeout=timeout)
        self.flush_firewall()
        self.clear_run()
        started = time.time()
        services = [u for u in self.enabled_units() if u[1].endswith(".service")]
        early = [u for u in services if u[0] == "sysinit.target"]
        late = [u for u in services if u[0] != "sysinit.target"]
        units = [self.start_unit(unit) for _, unit in early]
        result = self._boot_chroot(None, timeout)
        units += [self.start_unit(unit) for _, unit in late]
        result.units, result.started, result.ended = units, started, time.time()
        return result

    def _timed(self, name: str, argv: list[str], timeout: float) -> Stage:
        start = time.monotonic()
        try:
            done = self.run(argv, timeout=timeout)
            code, out = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired as err:
            code, out = -1, f"timed out after {timeout}s\n{_text(err.stdout)}{_text(err.stderr)}"
        return Stage(name, code, time.monotonic() - start, out)

    def clear_run(self) -> None:
        """/run is a tmpfs on a real instance: empty at every boot."""
        run = self.path("/run")
        for entry in run.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    # --- systemd, without systemd -----------------------------------------------------------

    def enabled_units(self) -> list[tuple[str, str]]:
        """(target, unit) for every `.wants` link in /etc/systemd/system that the image did
        not have: what the user-data enabled, in name order."""
        found = []
        base = self.path("/etc/systemd/system")
        for wants in sorted(base.glob("*.wants")):
            target = wants.name[: -len(".wants")]
            for link in sorted(wants.iterdir()):
                pristine = self.image / "etc/systemd/system" / wants.name / link.name
                if not os.path.lexists(pristine):
                    found.append((target, link.name))
        return found

    def start_unit(self, unit: str, timeout: float = 120) -> Stage:
        """Start a unit and wait for it. systemd mode: `systemctl start` (which waits for a
        oneshot to finish), its result and its journal. Chroot mode: its ExecStartPre,
        ExecStart and ExecStartPost lines run by hand, in that order, as systemd would for a
        oneshot; a `-` prefix ignores that line's failure."""
        if self.running():
            start = time.monotonic()
            self.run(["systemctl", "start", unit], timeout=timeout)
            self.wait_unit(unit, timeout)
            stage = self._unit_stage(self.show_units([unit])[0])
            stage.seconds = time.monotonic() - start
            return stage
        text = self._unit_text(unit)
        commands = [line for kind in ("ExecStartPre", "ExecStart", "ExecStartPost")
                    for line in re.findall(rf"^{kind}=(.+)$", text, re.M)]
        outputs, code, start = [], 0, time.monotonic()
        for line in commands:
            ignore = line.startswith("-")
            done = self.run(["/bin/sh", "-c", "exec " + line.lstrip("-@:+!")], timeout=timeout)
            outputs.append(done.stdout + done.stderr)
            if done.returncode and not ignore:
                code = done.returncode
                break
        return Stage(unit, code, time.monotonic() - start, "".join(outputs))

    def _unit_text(self, unit: str) -> str:
        for directory in ("/etc/systemd/system", "/lib/systemd/system"):
            if self.path(f"{directory}/{unit}").is_file():
                return self.read(f"{directory}/{unit}")
        raise FileNotFoundError(f"unit {unit} not found in the instance")

    # --- the firewall ---------------------------------------------------------------------

    def ruleset(self) -> str:
        """The namespace's whole firewall (iptables-nft rules included), without counters."""
        return _check(["ip", "netns", "exec", self.netns, "nft", "-s", "list", "ruleset"])

    def flush_firewall(self) -> None:
        _check(["ip", "netns", "exec", self.netns, "nft", "flush", "ruleset"])

    # --- helpers --------------------------------------------------------------------------

    def _own_address(self) -> None:
        """The instance's own address, the source of its IMDS traffic, as on EC2. Left to
        itself the kernel would pick the IMDS address as the source too, and then the reset
        a REJECT rule sends back would be addressed to the IMDS address, meet the same rule
        and vanish: the client would hang instead of being refused."""
        ns = ("-n", self.netns)
        self._ip(*ns, "addr", "add", f"{INSTANCE_V4}/32", "dev", "lo")
        self._ip(*ns, "addr", "add", f"{INSTANCE_V6}/128", "dev", "lo", "nodad")
        self._ip(*ns, "route", "change", "local", IMDS_V4, "dev", "lo", "table", "local",
                 "proto", "kernel", "scope", "host", "src", INSTANCE_V4)
        self._ip(*ns, "-6", "route", "del", "local", IMDS_V6, "table", "local")
        self._ip(*ns, "-6", "route", "add", "local", IMDS_V6, "dev", "lo", "table", "local",
                 "proto", "kernel", "metric", "0", "src", INSTANCE_V6)

    def _ip(self, *args: str) -> None:
        _check(["ip", *args])


def _check(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:6])}... failed ({done.returncode}): "
                           f"{done.stderr.strip()[-2000:]}")
    return done.stdout


def stop_process(child: subprocess.Popen) -> None:
    if child.poll() is None:
        try:
            os.killpg(child.pid, signal.SIGTERM)
            child.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            child.wait()


def _text(data) -> str:
    if data is None:
        return ""
    return data.decode(errors="replace") if isinstance(data, bytes) else data
