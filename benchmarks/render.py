#!/usr/bin/env python3
"""Cold-start benchmark for `bootstrapper render` (issue 2): target ≤ 150 ms median.

Installs the package into a clean venv (`.bench/venv`, runtime dependencies only: what
`pip install ec2-bootstrapper` gives users), then times fresh processes, each run a new
interpreter, beside bare `python -c pass` on the same machine in the same run.

    python3 benchmarks/render.py [--runs 15]

"warm" = the caches in ~/.cache/bootstrapper hold this render (the normal case from the
second run on: CI, Terraform plans); "no cache" = BOOTSTRAPPER_NO_CACHE=1, every run renders
with Jinja and validates with jsonschema and shellcheck.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".bench" / "venv"
TARGET_MS = 150.0


def clean_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    str(ROOT)], check=True)
    return VENV / "bin"


def timed(argv: list[str], runs: int, env: dict, stdin: bytes | None = None) -> list[float]:
    samples = []
    for _ in range(runs + 1):  # the first run warms the page cache and caches; dropped
        start = time.perf_counter()
        result = subprocess.run(argv, input=stdin, capture_output=True, env=env, check=False)
        samples.append((time.perf_counter() - start) * 1000)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {result.stderr.decode()[:300]}")
    return samples[1:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    bindir = clean_venv()
    example = str(ROOT / "examples" / "web-app.yaml")
    cache_home = tempfile.mkdtemp(prefix="bootstrapper-bench-")
    env = {**os.environ, "XDG_CACHE_HOME": cache_home}
    nocache = {**env, "BOOTSTRAPPER_NO_CACHE": "1"}
    cases = [
        ("python -c pass", [str(bindir / "python"), "-c", "pass"], env, None),
        ("bootstrapper --version", [str(bindir / "bootstrapper"), "--version"], env, None),
        ("render web-app (warm)", [str(bindir / "bootstrapper"), "render", example], env, None),
        ("render web-app --format shell (warm)",
         [str(bindir / "bootstrapper"), "render", example, "--format", "shell"], env, None),
        ("render web-app (no cache)", [str(bindir / "bootstrapper"), "render", example],
         nocache, None),
    ]
    rows = [(name, timed(argv, args.runs, e, stdin)) for name, argv, e, stdin in cases]
    base = statistics.median(rows[0][1])
    print(f"bootstrapper render cold start: {args.runs} fresh processes each, "
          f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'case':40} {'median ms':>10} {'p90 ms':>8} {'x python':>9}  target")
    for name, samples in rows:
        median = statistics.median(samples)
        p90 = sorted(samples)[int(len(samples) * 0.9) - 1]
        verdict = ""
        if name.startswith("render"):
            verdict = "ok" if median <= TARGET_MS else f"over {TARGET_MS:.0f}"
        print(f"{name:40} {median:10.1f} {p90:8.1f} {median / base:9.1f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
