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
