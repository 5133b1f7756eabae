"""The wheel carries everything: `pip install .` users render with the bundled templates.

The built wheel is unpacked alone on sys.path (dependencies from this venv), run from a
directory outside the repository so the repo's templates/ cannot be found by accident,
and must render every example byte-identical to the golden files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest
from support import EXAMPLES, ROOT


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                            "--no-build-isolation", "-w", str(out), str(ROOT)],
                           capture_output=True, text=True)
    assert built.returncode == 0, f"pip wheel failed:\n{built.stdout}{built.stderr}"
    wheel = next(out.glob("ec2_bootstrapper-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("bootstrapper/templates/user-data.sh.j2",
                     "bootstrapper/templates/cloud-config.yaml.j2",
                     "bootstrapper/templates/partials/bootstrapper-imds.sh",
                     "bootstrapper/schemas/cloud-config.json"):
        assert required in names
    site = out / "site"
    zipfile.ZipFile(wheel).extractall(site)
    return site


@pytest.mark.parametrize("fmt,ext", [("cloud-config", "yaml"), ("shell", "sh")])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_wheel_renders_examples(unpacked_wheel, example, fmt, ext, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(unpacked_wheel), "BOOTSTRAPPER_NO_CACHE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", "import sys, bootstrapper.__main__ as m; "
         "assert m.__file__.startswith(sys.argv[1]), m.__file__; "
         "sys.exit(m.main(sys.argv[2:]))", str(unpacked_wheel),
         "render", str(example), "--format", fmt],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    golden = ROOT / "tests" / "golden" / f"{example.stem}.{ext}"
    assert result.stdout == golden.read_text()


def test_wheel_ships_the_python_code_of_every_built_in_template(unpacked_wheel):
    """The build hook (hatch_build.py): the renders above used it, without parsing."""
    code = (unpacked_wheel / "bootstrapper" / "_template_code" / "__init__.py").read_text()
    names = {p.relative_to(ROOT / "templates").as_posix()
             for p in (ROOT / "templates").rglob("*.j2")}
    for name in names:
        assert f"({name!r}, " in code, name
    probe = ("import sys, jinja2; from bootstrapper import template_code as t; "
             "assert t.__file__.startswith(sys.argv[1]); print(len(t.known()))")
    done = subprocess.run([sys.executable, "-c", probe, str(unpacked_wheel)], cwd=unpacked_wheel,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(unpacked_wheel)})
    assert done.stdout.strip() == str(len(names)), done.stderr


def test_wheel_ships_the_docs_help_points_at(unpacked_wheel):
    """`lint --help` names docs/lint.md: a pip user finds it inside the package."""
    assert (unpacked_wheel / "bootstrapper" / "docs" / "lint.md").is_file()


def test_sdist_holds_everything_the_readme_links_to(tmp_path):
    import re
    import tarfile

    built = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d",
                            str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    sdist = next(tmp_path.glob("ec2_bootstrapper-*.tar.gz"))
    names = {name.split("/", 1)[1] for name in tarfile.open(sdist).getnames() if "/" in name}
    readme = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(((?!http|#)[^)#]+)", readme):
        target = target.rstrip("/")
        assert target in names or any(n.startswith(target + "/") for n in names), target


def test_demo_installs_the_package_without_the_test_extras(tmp_path):
    """./dev demo with a venv whose python and bootstrapper record how they were called."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    calls = tmp_path / "calls"
    (venv / "bin" / "python").write_text(f'#!/bin/sh\necho "python $*" >> {calls}\n')
    (venv / "bin" / "bootstrapper").write_text(f'#!/bin/sh\necho "bootstrapper $*" >> {calls}\n')
    for tool in ("python", "bootstrapper"):
        (venv / "bin" / tool).chmod(0o755)
    done = subprocess.run([str(ROOT / "dev"), "demo"], env={**os.environ,
                          "BOOTSTRAPPER_VENV": str(venv)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = calls.read_text().splitlines()
    installs = [line for line in lines if " pip install " in line]
    assert len(installs) == 1 and installs[0].endswith(" -e ."), lines
    assert lines[-1] == "bootstrapper render examples/web-app.yaml"
