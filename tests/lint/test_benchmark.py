"""benchmarks/lint.py runs: it lints hand-written user-data in one `bootstrapper lint` call
and times the one-process-per-check baseline beside it (the targets, >= 100 files/s and
>= 10x, are printed by the script itself), and scores the judged corpus."""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from support import ROOT


def load_benchmark():
    spec = importlib.util.spec_from_file_location("lint_benchmark", ROOT / "benchmarks" / "lint.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def result():
    return load_benchmark().measure(count=40, sample=4, repeat=1)


# The targets (>= 100 files/s, >= 10x the one-process-per-check baseline) are the
# benchmark's to print beside its measurement (`python benchmarks/lint.py`): a loaded CI
# runner must not fail a correct change. Here: the benchmark runs and measures what it says.
def test_the_benchmark_lints_every_file_it_made(result):
    assert result["files"] == 40 and result["scripts"] > 10 and result["cloud_configs"] > 5
    assert result["files_per_second"] > 0
    assert "files/s" in load_benchmark().table([result])


@pytest.mark.skipif(not shutil.which("cloud-init"),
                    reason="the baseline runs cloud-init schema")
def test_the_baseline_is_timed_beside_it(result):
    assert result["speedup"] > 0, result


def test_accuracy_mode_scores_the_judged_corpus_side_by_side():
    rows = load_benchmark().accuracy()
    ours = next(r for r in rows if r["tool"] == "bootstrapper" and r["corpus"] == "tests/lint/real")
    assert ours["exact_found"] == ours["exact_expected"] >= 39
    assert ours["exact_false_alarms"] == 0
    tools = {r["tool"] for r in rows}
    assert "cloud-init schema" in tools
    assert ("checkov" in tools) == bool(shutil.which("checkov"))
    assert "recall by file+class" in load_benchmark().accuracy_table(rows)


def test_the_worst_inputs_are_timed_beside_the_2_second_target():
    """The bound on one input is proved by the benchmark's numbers (printed in every run),
    not here: here its worst-input rows are measured and say what cut them short."""
    bench = load_benchmark()
    crawl = next(item for item in bench.worst_inputs() if "nested" in item[0])
    rows = bench.measure_worst(alone=False, inputs=[crawl])
    assert rows[0]["exit"] == 1 and rows[0]["cut"] == "SHELLCHECK_BUDGET", rows
    assert rows[0]["lint_seconds"] > 0 and rows[0]["cpu_seconds"] > 0
    assert "under 2 s wall per input" in bench.worst_table(rows)
