"""Every example's output in both formats is checked in under tests/golden/.

A template change shows up as a reviewable diff of real user-data. Refresh after an
intended change with `./dev golden` (pytest tests/test_golden.py --update-golden).

The helper travels gzip'd, so its configuration (what varies between profiles: the body is
one of the copies tests/test_helper.py checks) has golden files of its own, `*.imds.conf`.
"""

from __future__ import annotations

import pytest
from support import EXAMPLES, ROOT, helper_of, run_cli

from bootstrapper import helper

GOLDEN = ROOT / "tests" / "golden"
FORMATS = {"cloud-config": "yaml", "shell": "sh"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_golden(example, fmt, request):
    result = run_cli("render", str(example.relative_to(ROOT)), "--format", fmt)
    assert result.returncode == 0, result.stderr
    golden = GOLDEN / f"{example.stem}.{FORMATS[fmt]}"
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(result.stdout)
    assert golden.exists(), f"no golden file {golden.name}: run ./dev golden"
    assert result.stdout == golden.read_text(), \
        f"{golden.name} is out of date: review the diff, then ./dev golden"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_golden_helper_configuration(example, request):
    result = run_cli("render", str(example.relative_to(ROOT)))
    assert result.returncode == 0, result.stderr
    head = helper.known_head(helper_of(result.stdout))
    assert head is not None, "the helper's body is not a checked copy"
    golden = GOLDEN / f"{example.stem}.imds.conf"
    if request.config.getoption("--update-golden"):
        golden.write_text(head)
    assert golden.exists(), f"no golden file {golden.name}: run ./dev golden"
    assert head == golden.read_text(), \
        f"{golden.name} is out of date: review the diff, then ./dev golden"


def test_no_stale_golden_files():
    expected = {f"{e.stem}.{ext}" for e in EXAMPLES for ext in [*FORMATS.values(), "imds.conf"]}
    assert {p.name for p in GOLDEN.glob("*")} <= expected
