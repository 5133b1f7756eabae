"""What a render that misses every cache (a new profile, a fresh runner, each Terraform data
source there) does not import: benchmarks/render.py times it; this keeps heavy imports that
a valid render does not need from coming back."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support import ROOT

NOT_NEEDED = ("jsonschema", "concurrent.futures", "logging", "typer", "difflib", "decimal",
              "bootstrapper.userdata.mime", "bootstrapper.lint.rules.jinja_syntax")
PROBE = ("import sys\n"
         "from bootstrapper.__main__ import main\n"
         "rc = main(sys.argv[1:])\n"
         f"print(rc, sorted(m for m in {NOT_NEEDED!r} if m in sys.modules))\n")


@pytest.mark.parametrize("args,stdin", [
    (["render", "examples/web-app.yaml", "--output", "/dev/null"], None),
    (["render", "examples/web-app.yaml", "--format", "shell", "--output", "/dev/null"], None),
    (["terraform"], json.dumps({"role": "app", "lockdown": "true"})),
], ids=["cloud-config", "shell", "terraform"])
def test_a_render_that_misses_the_cache_imports_nothing_it_does_not_need(args, stdin):
    out = subprocess.run([sys.executable, "-c", PROBE, *args], input=stdin, capture_output=True,
                         text=True, cwd=ROOT, check=False,
                         env={"BOOTSTRAPPER_NO_CACHE": "1", "PATH": "/usr/bin:/bin"})
    assert out.stdout.splitlines()[-1] == "0 []", out.stderr


def test_the_console_script_leaves_its_objects_to_the_exit_and_a_caller_its_collector():
    """The console script (argv None) freezes what it made before the interpreter shuts
    down, which otherwise collects it all for nothing; a caller of main() in its own
    process gets its collector back, nothing frozen."""
    probe = ("import gc, sys\n"
             "from bootstrapper.__main__ import main\n"
             "sys.argv = ['bootstrapper', *sys.argv[1:]]\n"
             "main()\n"
             "console = (gc.isenabled(), gc.get_freeze_count() > 0)\n"
             "gc.unfreeze(); gc.enable()\n"
             "main(sys.argv[1:])\n"
             "print(console, (gc.isenabled(), gc.get_freeze_count()))\n")
    out = subprocess.run([sys.executable, "-c", probe, "render", "examples/web-app.yaml",
                          "--output", "/dev/null"], capture_output=True, text=True, cwd=ROOT,
                         check=False, env={"BOOTSTRAPPER_NO_CACHE": "1", "PATH": "/usr/bin:/bin"})
    assert out.stdout.splitlines()[-1] == "(False, True) (True, 0)", out.stderr
