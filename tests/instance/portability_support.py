"""Shaping the simulated instance into one cell of the portability matrix (issue 7).

Firewall: the image's own alternatives (`update-alternatives --set iptables
/usr/sbin/iptables-legacy`) or packages removed. HTTP client: packages removed (curl is kept
aside and put back after the boot, for the tests' own probes), or a curl that takes only what
curl-minimal takes. /bin/sh: dash as shipped; a two-line wrapper that execs `bash --posix` or
plain `bash` (whose argv[0] is then not `sh`, so it stays out of POSIX mode); or busybox sh
with PATH set to a directory holding only busybox applets plus the client and firewall
tools: every applet there is a wrapper that records its name, so the test sees exactly which
tools the scripts ran.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable

from portability_matrix import CURL_MINIMAL_OPTIONS, CURL_MINIMAL_SCHEMES, Cell

TOOLBOX = "/usr/lib/bootstrapper-toolbox"
TOOL_LOG = "/var/log/bootstrapper-tools.log"
CURL_LOG = "/var/log/curl-minimal.log"
CURL_MINIMAL = "/usr/local/bin/curl"  # before /usr/bin in every PATH
ROOT_CRONTAB = "/etc/crontabs/root"
ALPINE_CRONTAB = "*/15 * * * * run-parts /etc/periodic/15min\n"

SHELL_WRAPPERS = {
    "bash-posix": "#!/usr/bin/bash\nexec /usr/bin/bash --posix \"$@\"\n",
    "bash": "#!/usr/bin/bash\nexec /usr/bin/bash \"$@\"\n",
    "busybox": f"#!/usr/bin/busybox sh\nPATH={TOOLBOX}\nexport PATH\n"
               "exec /usr/bin/busybox sh \"$@\"\n",
}
# Runs as busybox sh with the toolbox PATH: records the applet's name and who ran it (the
# command line of its parent), then runs the applet itself.
APPLET = f"""#!/usr/bin/busybox sh
by=$(/usr/bin/busybox tr '\\0' ' ' </proc/$PPID/cmdline)
echo "${{0##*/}} $by" >>{TOOL_LOG}
exec /usr/bin/busybox "${{0##*/}}" "$@"
"""
# The scripts the user-data runs (cloud-init also runs `tee`, `service` and `lsb_release`
# through /bin/sh: those are its own, not ours).
OUR_SCRIPTS = ("/usr/local/sbin/bootstrapper-imds", "/var/lib/bootstrapper/first-boot.sh",
               "/var/lib/cloud/instance/scripts/part-001", "/var/lib/cloud/instance/scripts/runcmd")


def curl_minimal_script() -> str:
    """A curl that refuses any option or URL scheme outside CURL_MINIMAL_OPTIONS and
    CURL_MINIMAL_SCHEMES (as curl-minimal refuses what it was built without), logs the
    options it was given, then runs the real curl."""
    flags = "|".join(o for o, value in CURL_MINIMAL_OPTIONS if not value and o[1] == "-")
    valued = "|".join(o for o, value in CURL_MINIMAL_OPTIONS if value and o[1] == "-")
    short_flags = "".join(o[1] for o, value in CURL_MINIMAL_OPTIONS if not value and o[1] != "-")
    short_valued = "".join(o[1] for o, value in CURL_MINIMAL_OPTIONS if value and o[1] != "-")
    schemes = "|".join(f"{s}://*" for s in CURL_MINIMAL_SCHEMES)
    return f"""#!/bin/sh
refuse() {{ echo "curl: $1 (this curl takes only what curl-minimal has)" >&2; exit 2; }}
value= used=
for arg do
	if [ -n "$value" ]; then value=; continue; fi
	case $arg in
	{flags}) used="$used $arg" ;;
	{valued}) used="$used $arg" value=1 ;;
	--*) refuse "option $arg is not in curl-minimal's set" ;;
	-?*)
		rest=${{arg#-}}
		while [ -n "$rest" ]; do
			c=${{rest%"${{rest#?}}"}} rest=${{rest#?}}
			case $c in
			[{short_flags}]) used="$used -$c" ;;
			[{short_valued}]) used="$used -$c"; [ -n "$rest" ] || value=1; break ;;
			*) refuse "option -$c is not in curl-minimal's set" ;;
			esac
		done
		;;
	{schemes}) ;;
	*://*) echo "curl: (1) Protocol \\"${{arg%%://*}}\\" not supported" >&2; exit 1 ;;
	esac
done
echo "$used" >>{CURL_LOG}
exec /usr/bin/curl "$@"
"""


# --- the three dimensions ----------------------------------------------------------------------


def set_firewall(vm, firewall: str) -> None:
    if firewall == "iptables-legacy":
        for tool in ("iptables", "ip6tables"):
            done = vm.run(["update-alternatives", "--set", tool, f"/usr/sbin/{tool}-legacy"])
            assert done.returncode == 0, done.stderr
    elif firewall in ("nft", "none"):
        vm.remove_package("iptables")  # like Amazon Linux 2023: no iptables
        if firewall == "none":
            vm.remove_package("nftables")


def set_client(vm, client: str) -> Callable[[], None]:
    """Shape the HTTP client; returns what puts curl back for the tests' probes."""
    curl = vm.path("/usr/bin/curl").read_bytes()

    def restore() -> None:
        if not vm.exists("/usr/bin/curl"):
            vm.write("/usr/bin/curl", curl, 0o755)

    if client == "curl-minimal":
        vm.write(CURL_MINIMAL, curl_minimal_script(), 0o755)
    elif client in ("wget", "busybox-wget"):
        vm.remove_package("curl")
    if client == "busybox-wget":
        vm.remove_package("wget")
        vm.path("/usr/bin/wget").symlink_to("busybox")
    return restore


def set_shell(vm, shell: str) -> None:
    if shell == "dash":
        assert str(vm.path("/usr/bin/sh").readlink()) == "dash"
        return
    if shell == "busybox":
        make_toolbox(vm)
    vm.path("/usr/bin/sh").unlink()
    vm.write("/usr/bin/sh", SHELL_WRAPPERS[shell], 0o755)


def make_toolbox(vm) -> None:
    """The only PATH busybox sh gets: every applet (each a recording wrapper), then the
    HTTP client and firewall tools the shaped image has, as an Alpine image would."""
    applets = vm.run(["busybox", "--list"]).stdout.split()
    box = vm.path(TOOLBOX)
    box.mkdir(parents=True)
    vm.write(f"{TOOLBOX}/.applet", APPLET, 0o755)
    for name in applets:
        (box / name).symlink_to(".applet")
    extras = {"curl": (CURL_MINIMAL, "/usr/bin/curl"), "wget": ("/usr/bin/wget",),
              "iptables": ("/usr/sbin/iptables",), "ip6tables": ("/usr/sbin/ip6tables",),
              # the same package everywhere: the lockdown applies its rules in one transaction
              "iptables-restore": ("/usr/sbin/iptables-restore",),
              "ip6tables-restore": ("/usr/sbin/ip6tables-restore",),
              "nft": ("/usr/sbin/nft",)}
    for name, candidates in extras.items():
        found = [c for c in candidates if _target(vm, c) not in (None, "/usr/bin/busybox")]
        if found:
            (box / name).unlink(missing_ok=True)
            (box / name).symlink_to(found[0])


def alpine_cron(vm) -> None:
    """Cron as on Alpine: BusyBox crond and its /etc/crontabs, no /etc/cron.d."""
    for entry in vm.path("/etc/cron.d").iterdir():
        entry.unlink()
    vm.path("/etc/cron.d").rmdir()
    vm.write(ROOT_CRONTAB, ALPINE_CRONTAB, 0o600)


def shape(vm, cell: Cell) -> Callable[[], None]:
    set_firewall(vm, cell.firewall)
    restore = set_client(vm, cell.client)
    set_shell(vm, cell.shell)
    if cell.shell == "busybox":
        alpine_cron(vm)
    return restore


# --- what the tests look at --------------------------------------------------------------------


def firewall_state(vm, firewall: str) -> str:
    """The rules as the backend keeps them (legacy tables are not in `nft list ruleset`),
    without packet counters."""
    if firewall != "iptables-legacy":
        return vm.ruleset()
    text = "".join(_netns(vm, tool) for tool in ("iptables-legacy-save", "ip6tables-legacy-save"))
    text = re.sub(r"^#.*\n", "", text, flags=re.M)
    return re.sub(r"\[\d+:\d+\]", "", text)


def assert_backend(vm, firewall: str) -> None:
    """The rules are where the backend puts them, and nowhere else."""
    rules = vm.ruleset()
    if firewall == "iptables-legacy":
        legacy = firewall_state(vm, firewall)
        assert "-A OUTPUT -d 169.254.169.254/32 -j BOOTSTRAPPER-IMDS" in legacy, legacy
        assert "-A OUTPUT -d fd00:ec2::254/128 -j BOOTSTRAPPER-IMDS" in legacy, legacy
        assert "BOOTSTRAPPER" not in rules and "bootstrapper" not in rules, rules
    elif firewall == "iptables-nft":
        assert "table ip filter" in rules and "table ip6 filter" in rules, rules
        assert rules.count("chain BOOTSTRAPPER-IMDS {") == 2, rules
        assert rules.count("chain BOOTSTRAPPER-IMDS-FWD {") == 2, rules  # forwarded traffic
    else:
        assert "table inet bootstrapper_imds" in rules and "table ip filter" not in rules, rules


def tools_run(vm) -> set[str]:
    """The busybox applets our scripts ran (each record: applet, then the parent's argv:
    `/usr/bin/busybox sh SCRIPT ...`)."""
    records = [line.split() for line in vm.read(TOOL_LOG).splitlines()] \
        if vm.exists(TOOL_LOG) else []
    return {r[0] for r in records if len(r) > 3 and r[3] in OUR_SCRIPTS}


def curl_minimal_calls(vm) -> list[str]:
    return vm.read(CURL_LOG).splitlines() if vm.exists(CURL_LOG) else []


STUB_APT = """#!/bin/sh
# apt-get as the simulated instance has it: no mirror; `install` puts back the files kept
# in /var/lib/stub-apt/PACKAGE, and fails like apt for a package it does not know.
args=
for arg do case $arg in -*) ;; *) args="$args $arg" ;; esac; done
echo "${args# }" >>/var/log/stub-apt.log
set -- $args
[ "$1" = install ] || exit 0
shift
for pkg do
	[ -d "/var/lib/stub-apt/$pkg" ] || { echo "E: Unable to locate package $pkg" >&2; exit 100; }
	cp -a "/var/lib/stub-apt/$pkg/." /
done
"""


def stub_apt_get(vm, packages: tuple[str, ...]) -> str:
    """Remove `packages` from the image, keeping their files for an apt-get stub that
    installs them again; returns the log where it records its commands."""
    for package in packages:
        kept = vm.path(f"/var/lib/stub-apt/{package}")
        for line in vm.path(f"/var/lib/dpkg/info/{package}.list").read_text().splitlines():
            source = vm.path(line)
            if line and source.is_file() and not source.is_symlink():  # /lib is usr/lib
                target = kept / source.resolve().relative_to(vm.root.resolve())
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        vm.remove_package(package)
    vm.write("/usr/local/sbin/apt-get", STUB_APT, 0o755)
    return "/var/log/stub-apt.log"


def _target(vm, inside: str) -> str | None:
    """Where a path inside the instance leads, following its links inside the instance
    (their absolute targets are relative to its root); None when nothing is there."""
    for _ in range(16):
        path = vm.path(inside)
        if not path.is_symlink():
            return inside if path.exists() else None
        target = str(path.readlink())
        inside = target if target.startswith("/") else f"{inside.rsplit('/', 1)[0]}/{target}"
    return None


def _netns(vm, tool: str) -> str:
    return subprocess.run(["ip", "netns", "exec", vm.netns, tool], capture_output=True,
                          text=True, check=True).stdout
