"""Healthy-case boot on the simulated instance: how long, how many IMDS requests.

    sudo .venv/bin/python benchmarks/boot.py [--runs N] [--json]

For each format (shell, cloud-config) and IMDS peer (the mock IMDSv2, moto_server), boots the
default user-data (`--app-user app`) N times with Debian's real cloud-init in a fresh network
namespace and overlay (see bootstrapper/testing/instance.py) and prints the medians:

- requests   IMDS requests the user-data made (token, role listing, credentials, region)
- fetch      first IMDS request to the env file written (mock only: it timestamps requests)
- helper     `bootstrapper-imds fetch` run again on the booted instance, minus the cost of
             entering the instance (namespace, mounts, chroot)
- final      cloud-init's final stage, which runs the user-data (setup + fetch + its own work)
- boot       all four cloud-init stages

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
        print(json.dumps(rows, indent=2))
        return 0
    print(f"healthy first boot, median of {args.runs} (seconds; Debian 12 cloud-init 22.4 "
          f"in a network namespace)")
    print(f"{'format':<13}{'peer':<6}{'requests':>9}{'fetch':>8}{'helper':>8}"
          f"{'final':>8}{'boot':>8}")
    for r in rows:
        fetch = "-" if r["fetch"] != r["fetch"] else f"{r['fetch']:.3f}"
        print(f"{r['format']:<13}{r['peer']:<6}{r['requests_max']:>9}{fetch:>8}"
              f"{r['helper']:>8.3f}{r['final']:>8.2f}{r['boot']:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
