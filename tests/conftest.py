"""Shared fixtures; and the rule that simulated-instance tests may not skip in CI.

`./dev test` (and so `.ci/run`) sets BOOTSTRAPPER_REQUIRE_INSTANCE=1 after installing every
tool the suite uses: then any test that skips (an `instance` test without root or
`ip netns`, a cloud-init cross-check without cloud-init, ...) is reported as a failure, so a
green run proves everything ran.
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
            and not hasattr(report, "wasxfail")):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped, but under ./dev test (BOOTSTRAPPER_REQUIRE_INSTANCE=1) " \
                          f"nothing may skip: {reason}"


@pytest.fixture
def cli():
    return run_cli


_INSTANCE_PASSED = []


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed and "instance" in report.keywords:
        _INSTANCE_PASSED.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """In CI, a run in which no simulated-instance test passed is a failed run, even if
    they were never collected (deselected, renamed, or the directory went missing)."""
    if (os.environ.get("CI") == "true" and os.environ.get("BOOTSTRAPPER_REQUIRE_INSTANCE") == "1"
            and not _INSTANCE_PASSED and exitstatus == 0):
        session.config.get_terminal_writer().line()
        session.config.get_terminal_writer().line(
            "error: CI ran no simulated-instance test (tests/instance); they must run here",
            red=True)
        session.exitstatus = 1
