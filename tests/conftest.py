"""Shared fixtures; and the rule that simulated-instance tests may not skip in CI.

`./dev test` (and so `.ci/run`) sets BOOTSTRAPPER_REQUIRE_INSTANCE=1: then a test marked
`instance` that skips is reported as a failure, so a green run proves the boot tests ran.
"""

from __future__ import annotations

import os

import pytest
from support import run_cli


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current templates")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if (report.skipped and os.environ.get("BOOTSTRAPPER_REQUIRE_INSTANCE") == "1"
            and item.get_closest_marker("instance") is not None and not hasattr(report, "wasxfail")):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"instance test skipped but BOOTSTRAPPER_REQUIRE_INSTANCE=1: {reason}"


@pytest.fixture
def cli():
    return run_cli
