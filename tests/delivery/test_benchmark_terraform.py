"""The issue's benchmark as a test: cold `bootstrapper terraform` processes, median of 10
runs beside bare `python -c pass`; the warm-cache median must be <= 150 ms (2 cores).
The empty-cache median (first plan on a machine: full validation) is measured and shown
but not held to the target. `python benchmarks/terraform.py` prints the same table."""

from __future__ import annotations

import importlib.util
import statistics

from delivery_support import ROOT


def load_benchmark():
    spec = importlib.util.spec_from_file_location("bench_terraform",
                                                  ROOT / "benchmarks" / "terraform.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_warm_terraform_cold_start_meets_the_target():
    bench = load_benchmark()
    samples = bench.measure(10, bench.DEFAULT_QUERY)
    table = bench.table(samples)
    print("\n" + table)
    assert all(len(v) == 10 for v in samples.values())
    warm = statistics.median(samples["terraform, warm cache"])
    assert warm <= bench.TARGET_MS, table


# --- runnable as the README and --help say, outside the venv (issue 15) ----------------

import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin")


def test_runs_with_the_system_python_from_a_clone_and_accepts_few_runs(tmp_path):
    done = subprocess.run([SYSTEM_PYTHON, "-I", str(ROOT / "benchmarks" / "terraform.py"),
                           "--runs", "1", "--json"], cwd=tmp_path, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) >= {"terraform, warm cache"}
    assert "noisy" in done.stderr


def test_without_bootstrapper_it_says_what_to_install(tmp_path):
    copy = tmp_path / "benchmarks" / "terraform.py"
    copy.parent.mkdir()
    copy.write_text((ROOT / "benchmarks" / "terraform.py").read_text())
    done = subprocess.run([SYSTEM_PYTHON, "-I", str(copy), "--runs", "1"], cwd=tmp_path,
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "benchmarks/terraform.py: no `bootstrapper` to time: run ./dev setup (then this "
        "script finds .venv), or pip install ec2-bootstrapper"]
