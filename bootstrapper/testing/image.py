"""The Debian images the simulated instance boots: debootstrap chroots, built once, cached.

    python -m bootstrapper.testing.image build [SUITE...]  build them unless built (idempotent)
    python -m bootstrapper.testing.image path [SUITE]      print a root (exit 1 when not built)

Two suites, two cloud-init generations: bookworm (Debian 12, cloud-init 22.4, the default)
and trixie (Debian 13, cloud-init 25.x). Without a SUITE, `build` builds both.

The image lives outside the repository, in BOOTSTRAPPER_IMAGE_CACHE (default
/var/cache/bootstrapper-test), in a directory named by a hash of everything that shapes it
(suite, mirror, package list, post-install steps), so changing any of those builds a new one
and an unchanged one costs nothing. It is never booted directly: each boot mounts an overlay
of it (see instance.py), so the image stays pristine.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SUITE = "bookworm"  # the default image
SUITES = ("bookworm", "trixie")
PACKAGES = (
    "cloud-init", "python3-cffi-backend", "systemd", "locales", "curl", "wget", "iptables",
    "nftables", "busybox", "dash", "bash", "iproute2", "ca-certificates", "python3-botocore",
)
SOURCES = Path("/etc/apt/sources.list.d/debian.sources")
KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
CACHE = Path(os.environ.get("BOOTSTRAPPER_IMAGE_CACHE", "/var/cache/bootstrapper-test"))

# cloud-init configuration of the image: the NoCloud seed in /var/lib/cloud/seed is the
# datasource; the namespace has no NIC, so there is no network to configure.
CLOUD_CFG = """\
# bootstrapper test image: user-data comes from the NoCloud seed; no NIC to configure.
datasource_list: [NoCloud, None]
network: {config: disabled}
"""
POST_INSTALL = (
    "sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen",
    "locale-gen",
    "update-locale LANG=en_US.UTF-8",
    "apt-get clean",
)
MARK = "bootstrapper-image.ok"  # written last: its presence means the build completed


def mirror(sources: Path = SOURCES) -> str:
    """The host's Debian mirror: the first `URIs:` of its deb822 sources file."""
    try:
        text = sources.read_text(encoding="utf-8")
    except OSError:
        return DEFAULT_MIRROR
    for match in re.finditer(r"^URIs:\s*(\S+)", text, re.M):
        if "security" not in match.group(1):
            return match.group(1)
    return DEFAULT_MIRROR


def _key(mirror_url: str, suite: str = SUITE) -> str:
    h = hashlib.sha256()
    for part in (suite, mirror_url, *PACKAGES, CLOUD_CFG, *POST_INSTALL):
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:16]


def image_dir(mirror_url: str | None = None, cache: Path = CACHE, suite: str = SUITE) -> Path:
    """The directory of the image for this suite and package list (built or not)."""
    return cache / f"debian-{suite}-{_key(mirror_url or mirror(), suite)}"


def root(cache: Path = CACHE, suite: str = SUITE) -> Path | None:
    """The image's root filesystem when it is built, else None."""
    directory = image_dir(cache=cache, suite=suite)
    return directory / "root" if (directory / MARK).exists() else None


def build(cache: Path = CACHE, log=sys.stderr, suite: str = SUITE) -> Path:
    """Build the image unless it exists; return its root. Needs root and debootstrap."""
    if suite not in SUITES:
        raise SystemExit(f"image: unknown suite {suite!r}: use one of {', '.join(SUITES)}")
    directory = image_dir(cache=cache, suite=suite)
    if (directory / MARK).exists():
        return directory / "root"
    if os.geteuid() != 0:
        raise SystemExit("image: building the Debian chroot needs root (debootstrap, chroot)")
    if shutil.which("debootstrap") is None:
        raise SystemExit("image: debootstrap is not installed (apt-get install debootstrap)")
    if not KEYRING.exists():
        raise SystemExit(f"image: {KEYRING} is missing, so the Debian archive cannot be "
                         "verified (apt-get install debian-archive-keyring)")
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time; the others wait and reuse
        if (directory / MARK).exists():
            return directory / "root"
        _build_into(directory, suite, log)
    return directory / "root"


def _build_into(directory: Path, suite: str, log) -> None:
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=directory.parent))
    try:
        rootfs = work / "root"
        url = mirror()
        print(f"image: debootstrap {suite} from {url} into {directory} (about a minute)",
              file=log, flush=True)
        subprocess.run(["debootstrap", "--variant=minbase", f"--keyring={KEYRING}",
                        "--include=" + ",".join(PACKAGES), suite, str(rootfs), url],
                       check=True, stdout=subprocess.DEVNULL)
        (rootfs / "etc/cloud/cloud.cfg.d/90-bootstrapper-test.cfg").write_text(CLOUD_CFG)
        for step in POST_INSTALL:
            subprocess.run(["chroot", str(rootfs), "/bin/sh", "-c", step], check=True,
                           stdout=subprocess.DEVNULL, env=_chroot_env())
        (work / MARK).write_text(_key(url, suite) + "\n")
        if directory.exists():
            shutil.rmtree(directory)  # an incomplete earlier build (no MARK)
        work.rename(directory)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _chroot_env() -> dict[str, str]:
    return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
            "DEBIAN_FRONTEND": "noninteractive"}


def main(argv: list[str]) -> int:
    command, suites = (argv[0], argv[1:]) if argv else ("", [])
    unknown = [s for s in suites if s not in SUITES]
    if unknown:
        print(f"image: unknown suite {unknown[0]!r}: use one of {', '.join(SUITES)}",
              file=sys.stderr)
        return 2
    if command == "build":
        for suite in suites or SUITES:
            print(build(suite=suite))
        return 0
    if command == "path" and len(suites) <= 1:
        suite = suites[0] if suites else SUITE
        built = root(suite=suite)
        if built is None:
            print(f"image: not built ({image_dir(suite=suite)}); run: python -m "
                  f"bootstrapper.testing.image build {suite}", file=sys.stderr)
            return 1
        print(built)
        return 0
    print("usage: python -m bootstrapper.testing.image build [SUITE...] | path [SUITE]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
