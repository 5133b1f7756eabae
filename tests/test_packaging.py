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
                     "bootstrapper/templates/partials/bootstrapper-imds.sh.j2",
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
