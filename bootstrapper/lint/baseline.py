"""`--baseline FILE`: do not report findings an earlier run already recorded.

CI adopts the linter on an old repository by saving today's findings
(`bootstrapper lint . --format json -o lint-baseline.json`) and failing only on new ones.
A finding is the same when its file, rule and message are (line numbers shift as files
are edited, so they are not compared); each recorded finding hides one finding, so a
second copy of a known problem is still new.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import replace

from ..errors import BootstrapperError

Key = tuple[str, str, str]


def load(path: str) -> Counter[Key]:
    """The findings recorded in `path`, a `--format json` report."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return Counter((_norm(entry["path"]), finding["rule"], finding["message"])
                       for entry in data["files"] for finding in entry["findings"])
    except OSError as err:
        raise BootstrapperError(f"--baseline {path}: cannot read: {err.strerror or err}") from err
    except (ValueError, KeyError, TypeError) as err:
        raise BootstrapperError(
            f"--baseline {path}: not a `bootstrapper lint --format json` report ({err!r}); "
            f"write one with --format json -o {path}") from err


def apply(report, known: Counter[Key]):
    """`report` without the findings `known` records (each record hides one finding)."""
    from .rules import names

    left = Counter(known)
    files = []
    for result in report.files:
        kept = []
        for problem in result.problems:
            keys = [(_norm(result.name), rule, problem.message) for rule in names(problem.rule)]
            key = next((k for k in keys if left[k] > 0), None)
            if key:
                left[key] -= 1
            else:
                kept.append(problem)
        files.append(replace(result, problems=kept))
    return replace(report, files=files)


def _norm(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")
