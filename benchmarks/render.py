#!/usr/bin/env python3
"""Cold-start benchmark of `bootstrapper render` and `bootstrapper terraform` (issue 16).

Installs the package into a clean venv (`.bench/venv`, runtime dependencies only: what
`pip install ec2-bootstrapper` gives users), then times fresh processes, each run a new
interpreter, beside bare `python -c pass` in the same run, interleaved so that load spikes
hit every case alike. Targets, as multiples of `python -c pass`:

  cached     <= 4x   the cache already holds this command (the normal case from the second
                     run on: CI, every later Terraform plan)
  no cache   <= 12x  BOOTSTRAPPER_NO_CACHE=1: render with Jinja, validate (schema, lint
                     rules, shellcheck) on every run: a new profile, a fresh runner

    python3 benchmarks/render.py [--runs 15] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".bench" / "venv"
TARGETS = {"cached": 4.0, "no cache": 12.0}
EXAMPLE = str(ROOT / "examples" / "web-app.yaml")
QUERY = json.dumps({"role": "web-app", "app_user": "www-data", "lockdown": "true",
                    "refresh": "true"}).encode()


def clean_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    str(ROOT)], check=True)
    return VENV / "bin"


def cases(bindir: Path, cache_home: str) -> list[tuple[str, str | None, list[str], dict,
                                                       bytes | None]]:
    """(name, target key, argv, env, stdin) of every timed case."""
    env = {k: v for k, v in os.environ.items() if k != "BOOTSTRAPPER_NO_CACHE"}
    env["XDG_CACHE_HOME"] = cache_home
    nocache = {**env, "BOOTSTRAPPER_NO_CACHE": "1"}
    tool = str(bindir / "bootstrapper")
    out = [("python -c pass", None, [str(bindir / "python"), "-c", "pass"], env, None),
           ("bootstrapper --version", None, [tool, "--version"], env, None)]
    for label, state, e in (("cached", "cached", env), ("no cache", "no cache", nocache)):
        out += [
            (f"render cloud-config, {label}", state, [tool, "render", EXAMPLE], e, None),
            (f"render --format shell, {label}", state,
             [tool, "render", EXAMPLE, "--format", "shell"], e, None),
            (f"terraform, {label}", state, [tool, "terraform"], e, QUERY),
        ]
    return out


def run_once(argv: list[str], env: dict, stdin: bytes | None) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, input=stdin, capture_output=True, env=env, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {result.stderr.decode()[:300]}")
    return elapsed


def measure(runs: int, bindir: Path) -> dict[str, tuple[str | None, list[float]]]:
    with tempfile.TemporaryDirectory(prefix="bootstrapper-bench-") as cache_home:
        todo = cases(bindir, cache_home)
        for _, _, argv, env, stdin in todo:  # warms the page cache, fills the caches
            run_once(argv, env, stdin)
        samples: dict[str, tuple[str | None, list[float]]] = {
            name: (state, []) for name, state, *_ in todo}
        for _ in range(runs):
            for name, _, argv, env, stdin in todo:
                samples[name][1].append(run_once(argv, env, stdin))
    return samples


def table(samples: dict[str, tuple[str | None, list[float]]], runs: int) -> str:
    base = statistics.median(samples["python -c pass"][1])
    lines = [f"bootstrapper cold start: {runs} fresh processes per case, {os.cpu_count()} "
             f"cores, Python {sys.version.split()[0]}",
             f"{'case':34} {'median ms':>10} {'p90 ms':>8} {'x python':>9}  target"]
    for name, (state, values) in samples.items():
        median = statistics.median(values)
        p90 = sorted(values)[max(0, int(len(values) * 0.9) - 1)]
        verdict = ""
        if state:
            limit = TARGETS[state]
            verdict = f"<= {limit:.0f}x " + ("ok" if median / base <= limit else "OVER")
        lines.append(f"{name:34} {median:10.1f} {p90:8.1f} {median / base:9.1f}  {verdict}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per case (default 15)")
    parser.add_argument("--json", action="store_true", help="print medians (ms) as JSON")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs must be at least 1 (got {args.runs})")
    samples = measure(args.runs, clean_venv())
    if args.json:
        print(json.dumps({name: statistics.median(v) for name, (_, v) in samples.items()},
                         sort_keys=True))
    else:
        print(table(samples, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
