"""Bounds (issue 17): decompression bombs and alias bombs are refused with one finding
naming the limit, in little memory and time; a script that makes shellcheck crawl is stopped
at the per-file budget with an error naming it. Each case runs `bootstrapper lint` in a
child process that reports its own peak RSS (VmHWM) and the CPU seconds it and its shellcheck
children spent (resource.getrusage: CPU time, so a loaded machine does not fail a correct
bound; an unbounded case costs minutes either way)."""

from __future__ import annotations

import base64
import functools
import gzip
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from bootstrapper.userdata.limits import MAX_NODES, MAX_SCRIPT, SIZE_CAP

_PROBE = """
import io, json, resource, sys, time
from bootstrapper.lint import lint_paths, settings_for
def cpu():
    own, kids = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
start = cpu()
report = lint_paths([sys.argv[1]], settings_for(use_config=False))
took = cpu() - start
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so the child would
# report pytest's own peak (118 MB after tests/delivery); VmHWM belongs to this process image.
with open("/proc/self/status") as status:
    peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) * 1024
findings = [(p.rule, p.severity, p.message) for f in report.files for p in f.problems]
print(json.dumps({"peak": peak, "seconds": took, "findings": findings}))
"""


def _gzip_zeros(size: int) -> bytes:
    """gzip of `size` zero bytes, made in 1 MiB steps (never holding them all)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    out = [packer.compress(chunk) for _ in range(size >> 20)]
    return b"".join(out) + packer.flush()


def _lint(tmp_path, data: bytes) -> dict:
    path = tmp_path / "user-data"
    path.write_bytes(data)
    # No cache: a shellcheck run that another test (or an earlier run) finished would
    # otherwise answer the crawl case at once.
    done = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True,
                          text=True, check=False, timeout=120,
                          env={**os.environ, "BOOTSTRAPPER_NO_CACHE": "1"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@functools.cache
def _bombs() -> dict[str, bytes]:
    gib = _gzip_zeros(1 << 30)
    nested = gzip.compress(gzip.compress(gib, mtime=0), mtime=0)
    entry = base64.b64encode(gib).decode()
    write_files = ("#cloud-config\nwrite_files:\n- path: /opt/big\n  encoding: gz+b64\n"
                   f"  content: {entry}\n").encode()
    return {"gzip of 1 GiB of zeros": gib, "gzip of gzip of it": nested,
            "base64 of it": base64.b64encode(gib),
            "a gz+b64 write_files entry": write_files}


@pytest.mark.parametrize("name", list(_bombs()))
def test_a_decompression_bomb_is_refused_in_little_memory(tmp_path, name):
    result = _lint(tmp_path, _bombs()[name])
    assert result["peak"] < 100 * 1024 * 1024, f"{name}: peak RSS {result['peak']} bytes"
    assert result["seconds"] < 2, result["seconds"]
    capped = [f for f in result["findings"] if "size cap" in f[2] or "SIZE_CAP" in f[2]
              or f"{SIZE_CAP}" in f[2]]
    assert capped, result["findings"]


def test_nine_levels_of_nine_aliases_stop_at_the_node_limit(tmp_path):
    lines = ["#cloud-config", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", '
             '"lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    result = _lint(tmp_path, ("\n".join(lines) + "\n").encode())
    assert result["seconds"] < 2, result["seconds"]
    assert any(rule == "yaml-syntax" and severity == "error" and str(MAX_NODES) in message
               for rule, severity, message in result["findings"]), result["findings"]


def _at_the_cap(shape: str) -> bytes:
    """SIZE_CAP bytes of user-data shaped to make one part of lint work hard."""
    if shape == "runcmd":
        text = "#cloud-config\nruncmd:\n" + "".join(f"  - echo {i}\n" for i in range(SIZE_CAP // 12))
    elif shape == "script":
        text = "#!/bin/sh\n" + "echo $x\n" * (SIZE_CAP // 8)
    elif shape == "write_files":
        text = "#cloud-config\nwrite_files:\n" + "".join(
            f"- path: /f{i}\n  content: x\n" for i in range(SIZE_CAP // 24))
    elif shape == "mime":
        text = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n" + "".join(
            f"--B\nContent-Type: text/plain\n\nhello {i}\n" for i in range(SIZE_CAP // 40))
    else:
        text = "#cloud-config\nruncmd:\n - " + "a" * SIZE_CAP
    return (text[:SIZE_CAP].rsplit("\n", 1)[0] + "\n").encode()


@pytest.mark.parametrize("shape", ["runcmd", "script", "write_files", "mime", "long line"])
def test_any_input_up_to_the_size_cap_lints_in_under_2_seconds(tmp_path, shape):
    result = _lint(tmp_path, _at_the_cap(shape))
    assert result["seconds"] < 2, result["seconds"]


# 30 levels of nested quoted command substitutions: 300 bytes that shellcheck's parser
# never finishes (14 levels take it 5 s, 18 more than 10 s; each level nearly doubles it)
CRAWL = '#!/bin/sh\necho ' + '"$(echo ' * 30 + 'x' + ')"' * 30 + '\n'
# a budget the crawler always exceeds and a plain script never does (it takes ~0.01 s)
_SMALL_BUDGET = {"BOOTSTRAPPER_SHELLCHECK_BUDGET": "1", "BOOTSTRAPPER_NO_CACHE": "1"}


def test_a_script_that_makes_shellcheck_crawl_is_an_error_naming_the_budget(tmp_path):
    """Stopped at the per-file budget (made small here: the time it takes is
    benchmarks/lint.py's to show): one error at the script, exit 1 (not fully checked)."""
    from support import run_cli

    (tmp_path / "user-data").write_text(CRAWL)
    result = run_cli("lint", "--no-config", str(tmp_path / "user-data"), env=_SMALL_BUDGET)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if "SHELLCHECK_BUDGET" in line)
    assert line.startswith(f"{tmp_path / 'user-data'}:1: shellcheck:"), line
    assert "not shellchecked" in line and line.endswith("[error]"), line


def test_the_budget_is_per_file_the_other_files_are_checked(tmp_path):
    """The crawler shares a shellcheck process with the other files' scripts; when that
    process runs out, each file is checked again alone: only the crawler is not checked."""
    from support import run_cli

    (tmp_path / "user-data-slow").write_text(CRAWL)
    (tmp_path / "user-data-fine").write_text("#!/bin/sh\ncp $1 /tmp\n")
    result = run_cli("lint", "--no-config", "--format", "json", str(tmp_path),
                     env=_SMALL_BUDGET)
    report = {Path(f["path"]).name: [(p["rule"], p["severity"], p["message"])
                                     for p in f["findings"]]
              for f in json.loads(result.stdout)["files"]}
    assert [f for f in report["user-data-slow"] if "SHELLCHECK_BUDGET" in f[2]], report
    assert any("SC2086" in f[2] for f in report["user-data-fine"]), report
    assert not any("SHELLCHECK_BUDGET" in f[2] for f in report["user-data-fine"]), report
    assert result.returncode == 1


def test_a_script_over_max_script_is_not_shellchecked_and_says_so(tmp_path):
    script = "#!/bin/sh\n" + "echo $x\n" * (MAX_SCRIPT // 8 + 10)
    result = _lint(tmp_path, script.encode())
    assert result["seconds"] < 2, result["seconds"]
    assert any("MAX_SCRIPT" in message and severity == "error"  # not fully checked: exit 1
               for _, severity, message in result["findings"])
