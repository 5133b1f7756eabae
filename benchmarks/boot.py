"""Healthy-case boot on the simulated instance: how long, how many IMDS requests.

    sudo .venv/bin/python benchmarks/boot.py [--runs N] [--json]

Two tables. Per image (Debian 12 / cloud-init 22.4, Debian 13 / cloud-init 25.x), systemd as
PID 1, `--lockdown` user-data against the mock, N runs of a first boot and a reboot:

- first boot   container start to the env file written (cloud-final ran the user-data)
- reboot       PID 1's start to bootstrapper-lockdown.service done (the rules are back), and
               to the credentials unit done (the env file written again)

Then, on Debian 12, for each format (shell, cloud-config) and IMDS peer (the mock IMDSv2,
moto_server), boots the default user-data (`--app-user app`) N times with Debian's real
cloud-init in a fresh network namespace and overlay (see bootstrapper/testing/instance.py)
and prints the medians:

- requests   IMDS requests the user-data made (token, role listing, credentials, region)
- fetch      first IMDS request to the env file written (mock only: it timestamps requests)
- helper     `bootstrapper-imds fetch` run again on the booted instance, minus the cost of
             entering the instance (namespace, mounts, chroot)
- final      cloud-init's final stage, which runs the user-data (setup + fetch + its own work)
- boot       container start to cloud-final done

Needs root and the test image (`python -m bootstrapper.testing.image build`; built here when
missing). Without root it says so and exits 0, so `./dev bench` goes on.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bootstrapper import build, profile  # noqa: E402
from bootstrapper.testing import image, instance, moto  # noqa: E402
from bootstrapper.testing.imds import MockImds  # noqa: E402

FORMATS = ("shell", "cloud-config")
PEERS = ("mock", "moto")
ENV_FILE = "/run/bootstrapper/credentials.env"
MOTO = Path(sys.executable).with_name("moto_server")


def one_boot(root: Path, fmt: str, peer: str) -> dict[str, float]:
    user_data = build.build(profile.from_mapping({"format": fmt, "app_user": "app"})).user_data
    with instance.SimulatedInstance(root) as vm:
        vm.add_user("app", 1000)
        if peer == "mock":
            server = MockImds(addresses=vm.imds_addresses, netns=vm.netns).start()
        else:
            server = moto.MotoServer(vm, executable=str(MOTO)).start()
        try:
            vm.seed(user_data)
            boot = vm.boot()
            if not boot.ok:
                raise SystemExit(f"boot failed ({fmt}, {peer}):\n{boot.describe()}")
            written = os.stat(vm.path(ENV_FILE)).st_mtime
            if peer == "mock":
                count = len(server.requests)
                fetch = written - server.requests[0].time
            else:
                time.sleep(0.2)  # moto writes its access log after answering
                count, fetch = len(server.requests), float("nan")
            helper = _timed(vm, ["/usr/local/sbin/bootstrapper-imds", "fetch"])
            helper -= min(_timed(vm, ["true"]) for _ in range(3))
        finally:
            server.stop()
    return {"requests": count, "fetch": fetch, "helper": helper,
            "final": boot.stage("final").seconds, "boot": boot.seconds}


def image_boot(root: Path) -> dict[str, float]:
    """First boot to credentials written; reboot to lockdown applied and credentials."""
    user_data = build.build(profile.from_mapping(
        {"format": "shell", "app_user": "app", "lockdown": True})).user_data
    with instance.SimulatedInstance(root) as vm, \
            MockImds(addresses=vm.imds_addresses, netns=vm.netns):
        vm.add_user("app", 1000)
        vm.seed(user_data)
        started = time.time()
        boot = vm.boot()
        if not boot.ok or boot.mode != "systemd":
            raise SystemExit(f"first boot failed ({root}):\n{boot.describe()}")
        first = os.stat(vm.path(ENV_FILE)).st_mtime - started
        boot = vm.reboot()
        if not boot.ok:
            raise SystemExit(f"reboot failed ({root}):\n{boot.describe()}")
        pid1 = int(_manager(vm)["UserspaceTimestampMonotonic"])
        lockdown, credentials = vm.show_units(["bootstrapper-lockdown.service",
                                               "bootstrapper-credentials.service"])
        return {"first_boot": first,
                "reboot_lockdown": (int(lockdown["ExecMainExitTimestampMonotonic"]) - pid1) / 1e6,
                "reboot_credentials":
                    (int(credentials["ExecMainExitTimestampMonotonic"]) - pid1) / 1e6}


def _manager(vm) -> dict[str, str]:
    """PID 1's own properties (`systemctl show` without a unit)."""
    done = vm.run(["systemctl", "show", "-p", "UserspaceTimestampMonotonic"])
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


def _timed(vm, argv) -> float:
    start = time.monotonic()
    done = vm.run(argv)
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed: {done.stderr}")
    return time.monotonic() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the medians as JSON")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("benchmarks/boot.py: skipped, the simulated instance needs root", file=sys.stderr)
        return 0
    root = image.build()
    reason = instance.unavailable(root)
    if reason:
        print(f"benchmarks/boot.py: skipped: {reason}", file=sys.stderr)
        return 0
    images = []
    for suite in image.SUITES:
        suite_root = image.build(suite=suite)
        runs = [image_boot(suite_root) for _ in range(args.runs)]
        row = {"image": suite, "runs": args.runs}
        for key in runs[0]:
            row[key] = statistics.median(r[key] for r in runs)
        images.append(row)
    rows = []
    for fmt in FORMATS:
        for peer in PEERS:
            runs = [one_boot(root, fmt, peer) for _ in range(args.runs)]
            row = {"format": fmt, "peer": peer, "runs": args.runs}
            for key in runs[0]:
                row[key] = statistics.median(r[key] for r in runs)
            row["requests_max"] = max(r["requests"] for r in runs)
            rows.append(row)
    if args.json:
        print(json.dumps({"images": images, "boots": rows}, indent=2))
        return 0
    print(f"per image, systemd as PID 1, --lockdown, median of {args.runs} (seconds)")
    print(f"{'image':<10}{'first boot':>12}{'reboot: lockdown':>18}{'credentials':>13}")
    for r in images:
        print(f"{r['image']:<10}{r['first_boot']:>12.2f}{r['reboot_lockdown']:>18.2f}"
              f"{r['reboot_credentials']:>13.2f}")
    print()
    print(f"healthy first boot, median of {args.runs} (seconds; Debian 12 cloud-init 22.4, "
          f"systemd as PID 1, in a network namespace)")
    print(f"{'format':<13}{'peer':<6}{'requests':>9}{'fetch':>8}{'helper':>8}"
          f"{'final':>8}{'boot':>8}")
    for r in rows:
        fetch = "-" if r["fetch"] != r["fetch"] else f"{r['fetch']:.3f}"
        print(f"{r['format']:<13}{r['peer']:<6}{r['requests_max']:>9}{fetch:>8}"
              f"{r['helper']:>8.3f}{r['final']:>8.2f}{r['boot']:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
