"""lint's `schema` verdicts agree with Debian's real `cloud-init schema -c` on every
cloud-config of the corpus, including those inside MIME, gzip and base64.

Compared: valid versus invalid. lint is invalid when it reports an error-severity
`schema` or `yaml-syntax` finding; cloud-init when `schema -c` exits non-zero (it
prints deprecations but exits 0 for them, and ignores unknown top-level keys, which
lint reports as warnings). Jinja templates are left out: cloud-init 22.4's `schema -c`
does not render them, while lint checks them with placeholders.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bootstrapper.lint.extract import extract
from bootstrapper.lint.rules import Context, schema, yaml_syntax
from bootstrapper.lint.schemas import Checker, installed_path, load

import lint_corpus as corpus

CLOUD_INIT = shutil.which("cloud-init")
pytestmark = pytest.mark.skipif(
    not CLOUD_INIT or not installed_path(),
    reason="needs Debian's cloud-init (apt-get install cloud-init; ./dev test installs it)")


def cloud_configs() -> dict:
    """label → every cloud-config Document in the corpus."""
    out = {}
    for path in corpus.files():
        root = extract(path.read_bytes(), corpus.name(path))
        for index, doc in enumerate(root.walk()):
            if doc.kind == "cloud-config" and not doc.templated:
                out[f"{corpus.name(path)}#{index}"] = doc
    return out


CONFIGS = cloud_configs()


def lint_valid(doc, checker: Checker) -> bool:
    found = []
    for rule in (yaml_syntax, schema):
        ctx = Context(dict(rule.OPTIONS), lambda: checker)
        found += [p for p in rule.check(doc, ctx) if p.severity == "error"]
    return not found


def cloud_init_valid(text: str, directory: Path, index: int) -> tuple[bool, str]:
    path = directory / f"{index}.yaml"
    # a text/cloud-config MIME part needs no header; `schema -c` insists on one
    path.write_text(text if text.startswith("#cloud-config") else "#cloud-config\n" + text)
    run = subprocess.run([CLOUD_INIT, "schema", "-c", str(path)], capture_output=True,
                         text=True, check=False, timeout=60)
    return run.returncode == 0, (run.stdout + run.stderr).strip()


@pytest.fixture(scope="module")
def verdicts():
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=4) as pool:
        labels = sorted(CONFIGS)
        results = pool.map(lambda item: cloud_init_valid(CONFIGS[item[1]].text, Path(tmp), item[0]),
                           enumerate(labels))
        return dict(zip(labels, results))


def test_the_corpus_has_both_valid_and_invalid_cloud_configs(verdicts):
    outcomes = {valid for valid, _ in verdicts.values()}
    assert outcomes == {True, False}
    assert len(verdicts) >= 20


@pytest.fixture(scope="module")
def checker():
    return Checker(load("cloud-init"))


@pytest.mark.parametrize("label", sorted(CONFIGS))
def test_agrees_with_cloud_init(verdicts, checker, label):
    valid, said = verdicts[label]
    assert lint_valid(CONFIGS[label], checker) == valid, f"cloud-init said: {said}"
