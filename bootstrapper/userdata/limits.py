"""Every bound on reading user-data, defined once (lint, inspect and render share them).

One size bound (SIZE_CAP) holds for the input read and for everything inflated from it,
across all layers together: a gzip bomb, nested gzip, or a `gz+b64` write_files entry
stops there, so peak memory stays a small multiple of SIZE_CAP.
"""

from __future__ import annotations

EC2_LIMIT = 16384  # bytes of raw user-data EC2 accepts (before the API's base64)
SIZE_CAP = 256 * 1024  # 16x EC2's limit: nothing bigger is user-data, read or inflated
MAX_DEPTH = 8  # layers (base64, gzip, MIME, Jinja) nested inside one another
MAX_NODES = 20000  # YAML nodes after expanding aliases ("billion laughs" stops here)
MAX_SCRIPT = 64 * 1024  # bytes of one script handed to shellcheck (its time grows faster)
NOT_CHECKED = "not shellchecked"  # how a finding about a script cut short by a bound ends
# Render's validation: one shellcheck process may run SHELLCHECK_SECONDS plus a second per
# SHELLCHECK_RATE bytes of its scripts; past that its scripts are reported as not checked.
SHELLCHECK_SECONDS = 10  # generous: a loaded CI runner must not fail a render
SHELLCHECK_RATE = 8 * 1024
# lint: the scripts of one input (a file, or a user-data inside a template) get
# SHELLCHECK_BUDGET seconds of shellcheck, so that lint of any one input ends within 2 s:
# Python's start and the other rules (which run meanwhile) take ~0.35 s, and the rest is
# left to a loaded runner. shellcheck's time is not bounded by size: real scripts of 16 KiB
# take it 0.25 s, of 25-42 KiB 0.5-1.2 s, of 56-68 KiB 1.9-2.6 s, while 157 bytes of nested
# "$(echo "$(...)")" take 5 s and 197 bytes more than 10 s, and 16 KiB of distinct unset
# variables 8 s and 3 GB (docs/lint.md "How files are found"; benchmarks/lint.py --worst).
# So the bound is time, not size. Scripts of several inputs share one process, which gets
# SHELLCHECK_BUDGET plus SHELLCHECK_PER_INPUT per further input; a process that runs out is
# stopped and its inputs are checked again one by one, each with SHELLCHECK_BUDGET.
SHELLCHECK_BUDGET = 1.0
SHELLCHECK_PER_INPUT = 0.5  # ordinary user-data (EC2's 16 KiB) costs 0.25 s, twice on a busy runner
BUDGET_ENV = "BOOTSTRAPPER_SHELLCHECK_BUDGET"  # seconds: a slow CI runner may allow more


def shellcheck_budget() -> float:
    """SHELLCHECK_BUDGET, or the seconds $BOOTSTRAPPER_SHELLCHECK_BUDGET gives (a number
    above 0; anything else is ignored: a typo must not turn the bound off)."""
    import os

    try:
        given = float(os.environ.get(BUDGET_ENV, ""))
    except ValueError:
        return SHELLCHECK_BUDGET
    return given if 0 < given < float("inf") else SHELLCHECK_BUDGET
