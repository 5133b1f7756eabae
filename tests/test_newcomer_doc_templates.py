"""Every template the README and docs show renders as written and the result lints clean;
so does the README's own promise that the env file works as `. file` in sh (SC1091, "not
following" a file that exists only on the instance, is no reason to refuse a render)."""

from __future__ import annotations

import re

import pytest
from support import ROOT, run_cli

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
JINJA_BLOCK = re.compile(r"```jinja\n(.*?)```", re.S)


def _doc_templates():
    for doc in DOCS:
        for number, body in enumerate(JINJA_BLOCK.findall(doc.read_text()), 1):
            yield pytest.param(body, id=f"{doc.name}-{number}")


def _render_and_lint(template_text: str, tmp_path, *extra: str) -> str:
    template = tmp_path / "app.j2"
    template.write_text(template_text)
    rendered = run_cli("render", "--template", str(template), "--var", "domain=example.com",
                       *extra)
    assert rendered.returncode == 0, rendered.stderr
    linted = run_cli("lint", "-", stdin=rendered.stdout)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    return rendered.stdout


def test_the_docs_show_at_least_one_template():
    assert list(_doc_templates())


@pytest.mark.parametrize("body", list(_doc_templates()))
def test_every_documented_template_renders_and_lints(body, tmp_path):
    _render_and_lint(body, tmp_path)


@pytest.mark.parametrize("entry,first_line", [("cloud-config.yaml.j2", "#cloud-config"),
                                              ("user-data.sh.j2", "#!/bin/sh")])
def test_sourcing_the_env_file_as_the_readme_says_renders(entry, first_line, tmp_path):
    body = (f'{{% extends "{entry}" %}}\n{{% block after_credentials %}}\n'
            ". {{ profile.env_file | sh }}\n"
            'echo "region: $AWS_REGION"\n{% endblock %}\n')
    out = _render_and_lint(body, tmp_path)
    assert out.startswith(first_line)
    assert ". '/run/bootstrapper/credentials.env'" in out
