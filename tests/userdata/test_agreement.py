"""lint, inspect and render's validation agree (issue 17): on every corpus file and on
generated user-data (layered encodings, MIME with and without defects, empty, binary),
the same parts with the same types, and the same verdict on "cloud-init gets working
user-data" (no error from the verdict rules)."""

from __future__ import annotations

import base64
import gzip
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from support import run_cli

from bootstrapper import encode, explain, validate
from bootstrapper.errors import RefusedError
from bootstrapper.lint import lint_paths, settings_for, with_options
from bootstrapper.userdata import read

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lint"))
from lint_corpus import files as corpus_files  # noqa: E402

_OFF = tuple(rule for rule in ("shellcheck", "imdsv1", "hardcoded-secret", "secret-in-log",
                               "credential-file-mode", "mime-merge")) 


def _lint_verdict(path: Path) -> bool:
    lint_settings = with_options(settings_for(use_config=False), disable=_OFF,
                                 schema="builtin")
    report = lint_paths([str(path)], lint_settings)
    return not any(p.severity == "error" and p.rule in explain.VERDICT_RULES
                   for f in report.files for p in f.problems)


def _leaf_types(data: bytes) -> list[str]:
    """The parts lint walks: the leaves below the encodings and MIME layers, typed."""
    node = read(data, "x")
    while node.kind in ("base64", "gzip") and node.children:
        node = node.children[0]
    leaves = [d for d in node.walk() if d is not node and d.headers and d.kind != "mime"] \
        if node.kind == "mime" else [node]
    out = []
    for leaf in leaves:
        if leaf.kind == "gzip" and leaf.children:
            leaf = leaf.children[0]
        out.append(leaf.content_type or {"script": "text/x-shellscript"}.get(leaf.kind,
                                                                             "text/plain"))
    return out


def _agree(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "user-data"
    path.write_bytes(data)
    report = explain.explain(data)
    assert [p.content_type for p in report.parts] == _leaf_types(data)
    works = _lint_verdict(path)
    assert works == (not report.errors), (report.errors, data[:200])
    root = read(data, "x")
    if root.kind in ("cloud-config", "shell") and root.text.startswith(("#cloud-config\n",
                                                                         "#!")):
        # Render judges the text with its rules, then the size of the bytes EC2 receives
        # (encode.finish: after --gzip, here none), as lint does for a file.
        found = validate._check(root.text, root.kind, "x")
        rendered_ok = not any(p.rule in explain.VERDICT_RULES and p.severity == "error"
                              for p in found)
        try:
            encode.finish(root.text.encode("utf-8"))
        except RefusedError:
            rendered_ok = False
        assert rendered_ok == works, found


@pytest.mark.parametrize("path", [p for p in corpus_files() if p.suffix != ".tf"],
                         ids=lambda p: p.name)  # a .tf carries user-data; it is none
def test_corpus_files_agree(tmp_path, path):
    _agree(tmp_path, path.read_bytes())


_BODIES = st.sampled_from([
    "#cloud-config\nruncmd:\n - echo hi\n", "#cloud-config\n", "#cloud-config\nruncmd: [\n",
    "#!/bin/sh\necho hi\n", "", "hello\n", "#cloud-boothook\necho x\n",
    "#include\nhttps://example.com/x\n", "packages: [jq]\n",
    "## template: jinja\n#cloud-config\nhostname: {{ v1.local_hostname }}\n",
])


def _mime(bodies: list[str], close: bool) -> bytes:
    out = 'Content-Type: multipart/mixed; boundary="==B=="\nMIME-Version: 1.0\n\n'
    for body in bodies:
        out += "--==B==\nContent-Type: text/x-shellscript\n\n" + body + "\n"
    return (out + ("--==B==--\n" if close else "")).encode()


@st.composite
def user_data(draw) -> bytes:
    shape = draw(st.sampled_from(["plain", "mime", "binary"]))
    if shape == "binary":
        data = draw(st.binary(max_size=64))
    elif shape == "mime":
        data = _mime(draw(st.lists(_BODIES, min_size=1, max_size=3)), draw(st.booleans()))
    else:
        data = draw(_BODIES).encode()
    for layer in draw(st.lists(st.sampled_from(["gzip", "base64"]), max_size=3)):
        data = gzip.compress(data, mtime=0) if layer == "gzip" else base64.b64encode(data)
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=user_data())
def test_generated_user_data_agrees(tmp_path, data):
    _agree(tmp_path, data)


@pytest.mark.parametrize("data,works", [
    (b"", False),  # nothing runs
    (b"#cloud-config\nruncmd: [\n  - x\n", False),  # broken YAML: cloud-init drops it
    (b"#cloud-config\n", False),  # the schema rule's verdict: `cloud-init schema` rejects it
    (b'Content-Type: multipart/mixed; boundary="B"\nMIME-Version: 1.0\n\n--B\n'
     b"Content-Type: text/x-shellscript\n\n#!/bin/sh\n"
     b"wget -qO- http://169.254.169.254/latest/meta-data/iam/info\n", True),
])
def test_the_disagreements_the_issue_lists(tmp_path, data, works):
    path = tmp_path / "user-data"
    path.write_bytes(data)
    lint = run_cli("lint", "--no-config", str(path))
    inspect = run_cli("inspect", str(path))
    assert (inspect.returncode == 0) == works, inspect.stdout + inspect.stderr
    if works:  # missing closing boundary: both see the script, lint its IMDSv1 call
        assert "imdsv1" in lint.stdout and "mime-defect" in lint.stdout, lint.stdout
        assert "text/x-shellscript" in inspect.stdout and "CloseBoundary" in inspect.stdout
    else:
        assert lint.returncode == 1, lint.stdout
