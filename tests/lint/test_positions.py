"""Findings point at the right line and column of the original file, whatever layer the
finding comes from."""

from __future__ import annotations

import io

import pytest

from bootstrapper.lint import lint_paths, settings_for, with_options


def findings(text: str) -> list[tuple[int, int, str]]:
    settings = with_options(settings_for(use_config=False), schema="builtin")
    report = lint_paths(["-"], settings, stdin=io.BytesIO(text.encode()))
    return [(p.line, p.column, p.rule) for p in report.files[0].problems]


@pytest.mark.parametrize("text, where", [
    ("#cloud-config\nruncmd: [a\nb: c\n", (3, 2, "yaml-syntax")),
    ("#cloud-config\nhostname: x\npackages: 3\n", (3, 11, "schema")),
    ("#cloud-config\nruncmd:\n  - echo $HOME\n", (3, 10, "shellcheck")),
    ("#cloud-config\nruncmd:\n  - |\n    cd /tmp\n    echo $X\n", (5, 10, "shellcheck")),
    ("#cloud-config\nwrite_files:\n- path: /x\n  content: |\n    #!/bin/sh\n    ls $D\n",
     (6, 8, "shellcheck")),
    ("#!/bin/sh\n\n\techo $A\n", (3, 7, "shellcheck")),  # a tab is one column
    ("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\n"
     "Content-Type: text/x-shellscript\n\n#!/bin/sh\necho $B\n--Z--\n", (8, 6, "shellcheck")),
])
def test_line_and_column(text, where):
    assert where in findings(text), findings(text)
