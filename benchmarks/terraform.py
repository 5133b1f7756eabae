#!/usr/bin/env python3
"""Scale benchmark of `bootstrapper terraform`: a plan with many launch templates (issue 16).

Terraform runs one `external` data source per launch template, up to 10 at a time (its
default -parallelism), each a fresh process; a CI runner starts with an empty cache. This
runs COUNT data sources with distinct roles (so no two render the same user-data), PARALLEL
at a time as `xargs -P` would, each plan with its own empty cache directory (what one data
source caches, a later one of the same plan may use, as on a real runner), and prints the
total wall time beside the target, and the CPU time per data source. --bypass-cache sets
BOOTSTRAPPER_NO_CACHE=1 instead (nothing is cached even within the plan).

Usage: python benchmarks/terraform.py [--count 50] [--parallel 10] [--repeat 3]
                                      [--vary role|service] [--bypass-cache] [--json]
Target: <= 2 s for 50, 10 at a time (on the 2-core machine the README's numbers come from).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TARGET_S = 2.0
TARGET_COUNT = 50
REPO_VENV = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "bootstrapper"


def program() -> list[str]:
    """The installed console script, as Terraform would run it: beside this interpreter, on
    PATH, or in the repository's .venv (so `python3 benchmarks/terraform.py` works from a
    clone after ./dev setup)."""
    beside = Path(sys.executable).parent / "bootstrapper"
    for found in (beside if beside.exists() else None, shutil.which("bootstrapper"),
                  REPO_VENV if REPO_VENV.exists() else None):
        if found:
            return [str(found), "terraform"]
    import importlib.util

    if importlib.util.find_spec("bootstrapper") is None:
        raise SystemExit("benchmarks/terraform.py: no `bootstrapper` to time: run ./dev setup "
                         "(then this script finds .venv), or pip install ec2-bootstrapper")
    return [sys.executable, "-m", "bootstrapper", "terraform"]


def query(n: int, vary: str = "role") -> bytes:
    """Data source n's query: its own role; with vary="service", its own app unit too (a
    plan whose launch templates differ in more than the helper's configuration)."""
    q = {"role": f"app-role-{n:04d}", "app_user": "app", "lockdown": "true", "refresh": "true"}
    if vary == "service":
        q["service"] = f"app-{n:04d}.service"
    return json.dumps(q).encode()


def carries(stdout: bytes, role: str) -> bool:
    """The result's user-data installs a helper configured for `role` (the helper travels
    gzip'd and base64'd in write_files: `encoding: "gz+b64"`, then a `content: |` block)."""
    import base64
    import gzip
    import re

    user_data = json.loads(stdout)["user_data"]
    block = re.search(r'encoding: "gz\+b64"\n  content: \|\n((?:   \S+\n)+)', user_data)
    return bool(block) and f"ROLE='{role}'" in gzip.decompress(
        base64.b64decode("".join(block.group(1).split()))).decode()


def one(argv: list[str], n: int, env: dict, vary: str) -> None:
    done = subprocess.run(argv, input=query(n, vary), capture_output=True, env=env, check=False)
    if done.returncode != 0 or not carries(done.stdout, f"app-role-{n:04d}"):
        raise SystemExit(f"data source {n} failed: {done.stderr.decode().strip()[:300]}")


def plan(count: int, parallel: int, offset: int = 0, bypass: bool = False,
         vary: str = "role") -> tuple[float, float]:
    """(wall seconds, CPU seconds of all the processes) of one plan's data sources."""
    argv = program()
    env = {k: v for k, v in os.environ.items() if k != "BOOTSTRAPPER_NO_CACHE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix="bootstrapper-bench-") as cache_home:
        env = {**env, "BOOTSTRAPPER_NO_CACHE": "1"} if bypass else \
            {**env, "XDG_CACHE_HOME": cache_home}
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            list(pool.map(lambda n: one(argv, n, env, vary), range(offset, offset + count)))
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=TARGET_COUNT,
                        help=f"data sources per plan (default {TARGET_COUNT})")
    parser.add_argument("--parallel", type=int, default=10,
                        help="run at a time, as Terraform's -parallelism (default 10)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="plans to time; the median is reported (default 3)")
    parser.add_argument("--bypass-cache", action="store_true",
                        help="BOOTSTRAPPER_NO_CACHE=1: nothing cached even within a plan")
    parser.add_argument("--vary", choices=("role", "service"), default="role",
                        help="what differs between data sources: the role (the issue's case), "
                             "or the role and the app's unit (no two alike beyond the helper's "
                             "configuration: each renders)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    program()  # nothing to time: say so before anything else
    for name in ("count", "parallel", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1 (got {getattr(args, name)})")
    plan(min(args.count, args.parallel), args.parallel, 9000, args.bypass_cache,
         args.vary)  # page cache
    runs = [plan(args.count, args.parallel, 0, args.bypass_cache, args.vary)
            for _ in range(args.repeat)]
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs) / args.count
    target = TARGET_S * args.count / TARGET_COUNT
    verdict = "ok" if wall <= target else "OVER"
    cache = "cache bypassed" if args.bypass_cache else "empty cache per plan"
    if args.json:
        print(json.dumps({"count": args.count, "parallel": args.parallel, "wall_s": wall,
                          "vary": args.vary,
                          "cpu_s_per_data_source": cpu, "target_s": target,
                          "cache": cache}, sort_keys=True))
        return 0
    distinct = "distinct roles" if args.vary == "role" else "distinct roles and services"
    print(f"{args.count} terraform data sources, {distinct}, {args.parallel} at a time, "
          f"{cache}, {os.cpu_count()} cores: median of {args.repeat} plans")
    print(f"wall {wall:.2f} s (target <= {target:.2f} s: {verdict}); CPU "
          f"{cpu * 1000:.0f} ms per data source")
    return 0


if __name__ == "__main__":
    sys.exit(main())
