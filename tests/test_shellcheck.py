"""bootstrapper.shellcheck: findings mapped back to their origin, cached per script.

A cache hit must give exactly what shellcheck would say; anything that could change the
answer (the text, dialect, excludes, severity, the binary) must miss.
"""

from __future__ import annotations

import os
import shutil

import pytest

from bootstrapper import shellcheck
from bootstrapper.shellcheck import Script

BAD = "#!/bin/sh\necho $1\n"  # SC2086: unquoted expansion


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("BOOTSTRAPPER_NO_CACHE", raising=False)
    return tmp_path / "bootstrapper" / "shellcheck"


@pytest.fixture
def runs(monkeypatch):
    """Every shellcheck command line actually started."""
    started: list[list[str]] = []
    real = shellcheck._run_all

    def counting(commands, jobs):
        started.extend(cmd for cmd, _budget in commands)
        return real(commands, jobs)

    monkeypatch.setattr(shellcheck, "_run_all", counting)
    return started


def test_findings_point_at_the_origin_line():
    found = shellcheck.check([Script(BAD, "user-data", line_offset=10)])
    assert [(p.path, p.line, p.rule) for p in found] == [("user-data", 12, "shellcheck")]
    assert found[0].message.startswith("SC2086: ")


def test_a_hit_gives_the_same_findings_without_running_shellcheck(cache_home, runs):
    scripts = [Script(BAD, "a"), Script("#!/bin/sh\necho ok\n", "b")]
    first = shellcheck.check(scripts)
    assert len(runs) == 1 and len(list(cache_home.iterdir())) == 2
    assert shellcheck.check(scripts) == first
    assert len(runs) == 1


def test_only_the_changed_script_runs_again(cache_home, runs):
    shellcheck.check([Script(BAD, "a"), Script("#!/bin/sh\necho ok\n", "b")])
    found = shellcheck.check([Script(BAD, "a"), Script("#!/bin/sh\necho $2\n", "b")])
    assert [p.path for p in found] == ["a", "b"]
    assert runs[-1][-1].endswith("0.sh") and len(runs[-1]) == len(runs[0]) - 1


@pytest.mark.parametrize("variant", [
    Script(BAD, "a", shell="bash"),
    Script(BAD, "a", exclude=("SC2086",)),
    Script(BAD + "# changed\n", "a"),
])
def test_what_could_change_the_answer_misses(cache_home, runs, variant):
    shellcheck.check([Script(BAD, "a")])
    shellcheck.check([variant])
    assert len(runs) == 2


def test_another_severity_misses(cache_home, runs):
    assert len(shellcheck.check([Script(BAD, "a")])) == 1  # SC2086 is an info
    assert shellcheck.check([Script(BAD, "a")], severity="warning") == []
    assert len(runs) == 2


def test_a_new_shellcheck_binary_misses(cache_home, runs, monkeypatch):
    shellcheck.check([Script(BAD, "a")])
    monkeypatch.setattr(shellcheck, "_identity", lambda: "another shellcheck")
    shellcheck.check([Script(BAD, "a")])
    assert len(runs) == 2


def test_no_cache_means_no_cache(cache_home, runs, monkeypatch):
    monkeypatch.setenv("BOOTSTRAPPER_NO_CACHE", "1")
    shellcheck.check([Script(BAD, "a")])
    shellcheck.check([Script(BAD, "a")])
    assert len(runs) == 2 and not cache_home.exists()


def test_an_unwritable_cache_only_costs_time(cache_home, runs):
    cache_home.parent.mkdir(parents=True)
    cache_home.write_text("not a directory")
    assert len(shellcheck.check([Script(BAD, "a")])) == 1
    assert len(shellcheck.check([Script(BAD, "a")])) == 1
    assert len(runs) == 2 and os.path.isfile(cache_home)


def test_scripts_with_other_excludes_share_one_process_and_keep_their_own(runs, monkeypatch):
    """Render checks our helper's configuration (which also excludes SC2034) beside the
    other scripts: one shellcheck start, each script's findings as if run alone."""
    monkeypatch.setenv("BOOTSTRAPPER_NO_CACHE", "1")
    unused = "#!/bin/sh\nx=1\necho $1\n"  # SC2034 and SC2086
    found = shellcheck.check([Script(unused, "plain", exclude=("SC1091",)),
                              Script(unused, "ours", exclude=("SC1091", "SC2034")),
                              Script(unused, "quiet", exclude=("SC2086",))])
    assert len(runs) == 1
    assert sorted((p.path, p.message[:6]) for p in found) == [
        ("ours", "SC2086"), ("plain", "SC2034"), ("plain", "SC2086"), ("quiet", "SC2034")]
    alone = shellcheck.check([Script(unused, "ours", exclude=("SC1091", "SC2034"))])
    assert len(runs) == 2 and alone == [p for p in found if p.path == "ours"]


def test_a_command_past_its_limit_is_stopped():
    import time

    started = time.monotonic()
    assert shellcheck._captured([shutil.which("sleep"), "30"], 0.2) is None
    assert time.monotonic() - started < 10
    assert not [pid for pid in os.listdir("/proc") if pid.isdigit() and _our_sleep(pid)]


def _our_sleep(pid: str) -> bool:
    """A child of this process, running or a zombie not reaped, that is `sleep`."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            head, tail = handle.read().rsplit(")", 1)
    except OSError:
        return False
    return head.split("(", 1)[1] == "sleep" and int(tail.split()[1]) == os.getpid()


def test_prefetch_returns_once_shellcheck_runs(monkeypatch):
    """The caller goes on importing lint's rules; shellcheck must already run by then, not
    wait for the thread to get the interpreter lock between its file operations."""
    import time

    monkeypatch.setenv("BOOTSTRAPPER_NO_CACHE", "1")
    real_identity, started = shellcheck._identity, []

    def slow_identity():  # the thread's work before shellcheck starts, made slow
        time.sleep(0.3)
        return real_identity()

    real_run = shellcheck._run_all

    def recording(commands, jobs):
        started.append(len(commands))
        return real_run(commands, jobs)

    monkeypatch.setattr(shellcheck, "_identity", slow_identity)
    monkeypatch.setattr(shellcheck, "_run_all", recording)
    shellcheck.prefetch([Script(BAD, "a")])
    assert started == [1]
    assert [p.rule for p in shellcheck.check([Script(BAD, "a")])] == ["shellcheck"]
    assert started == [1]  # check() used the early run
