"""Help and messages a new user meets (issue 15): help examples kept as written, usage
errors as one line with each suggestion once, long values cut, suggestions for near
misses, the real reason for a refused path, Terraform errors in query keys, no Python
repr. Each case failed before the fix."""

from __future__ import annotations

import json
import re

import pytest
from support import ROOT, assert_clean_error, run_cli


def _help_block(text: str, first: str) -> list[str]:
    """The lines of the help's example that starts with `first`, up to a blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(first))
    block = []
    for line in lines[start:]:
        if not line.strip():
            break
        block.append(line.strip())
    return block


def test_lint_help_keeps_one_example_per_line():
    out = run_cli("lint", "--help").stdout
    block = _help_block(out, "bootstrapper lint infra/")
    assert len(block) == 5 and all(line.startswith("bootstrapper ") for line in block), block


def test_terraform_help_shows_valid_hcl_one_argument_per_line():
    out = run_cli("terraform", "--help").stdout
    block = _help_block(out, 'data "external"')
    assert block[0] == 'data "external" "user_data" {' and block[-2] == "}", block
    for line in block[1:-2]:  # a single-line block may hold one argument only
        assert re.fullmatch(r'\w+\s*=\s*(\[[^\]]*\]|\{ *(\w+ = "[^"]*",? *)* *\}|"[^"]*")', line), \
            line
    assert block[1].startswith("program") and block[2].startswith("query")


@pytest.mark.parametrize("args,fragments", [
    (("rendr",), ("No such command 'rendr'", "Did you mean 'render'?",
                  "(see `bootstrapper --help`)")),
    (("render", "--bogus"), ("No such option '--bogus'", "`bootstrapper render --help`")),
    (("lint",), ("Missing argument", "`bootstrapper lint --help`")),
    (("render", "--token-ttl", "x" * 100_000), ("--token-ttl", "x" * 60 + "...")),
])
def test_usage_errors_are_one_line(args, fragments):
    line = assert_clean_error(run_cli(*args), 2, *fragments)
    assert line.count("Did you mean") <= 1 and len(line) < 300


def test_a_long_value_is_cut_in_the_message():
    line = assert_clean_error(run_cli("render", "--role", "r" * 100_000), 2, "role:",
                              "(100000 characters)")
    assert len(line) < 300


@pytest.mark.parametrize("text,fragment", [
    ("role: 2024-01-01\n", "got 2024-01-01, which YAML reads as a date: quote it"),
    ("vars:\n  when: 2024-01-01\n", "vars.when: must be a string (got 2024-01-01, which"),
    ("token_ttl: true\n", "got true, a boolean"),
    ("role: [a, b]\n", 'got ["a", "b"], a list'),
])
def test_values_are_shown_in_yaml_words_not_python_repr(tmp_path, text, fragment):
    (tmp_path / "p.yaml").write_text(text)
    line = assert_clean_error(run_cli("render", "p.yaml", cwd=tmp_path), 2, fragment)
    assert "datetime" not in line and "True" not in line


def _template(tmp_path, line: str) -> str:
    path = tmp_path / "t.sh.j2"
    path.write_text('{% extends "user-data.sh.j2" %}{% block after_credentials %}\n'
                    f"{line}\n{{% endblock %}}\n")
    return str(path)


@pytest.mark.parametrize("line,fragment", [
    ("echo {{ vars.domian | sh }}", "vars.domian", ),
    ("echo {{ vars.domain | shell }}", "No filter named 'shell'; did you mean 'sh'?"),
])
def test_near_misses_in_a_template_are_named(tmp_path, line, fragment):
    result = run_cli("render", "--template", _template(tmp_path, line), "--var", "domain=x")
    err = assert_clean_error(result, 2, fragment)
    if "domian" in line:
        assert err.endswith("did you mean 'domain'?")


def test_templates_show_suggests_the_full_name():
    assert_clean_error(run_cli("templates", "show", "user-data.sh"), 2,
                       "did you mean 'user-data.sh.j2'?")


@pytest.mark.parametrize("args,fragment", [
    (("render", "--output", "/proc/version"), "cannot create a file in /proc/"),
    (("render", "--output", "/no/such/dir/out"), "directory /no/such/dir/ does not exist"),
    (("render", "--output", "/tmp"), "it is a directory"),
    (("render", "--template-dir", "README.md"), "is a file, not a directory"),
])
def test_a_refused_path_says_the_real_reason(args, fragment):
    line = assert_clean_error(run_cli(*args), 2, fragment)
    assert "No such file or directory" not in line.split("(")[0]


def test_output_to_a_device_is_written_not_replaced():
    assert run_cli("render", "--output", "/dev/null").returncode == 0


def test_inspect_extract_into_a_file_says_to_name_a_directory(tmp_path):
    (tmp_path / "taken").write_text("x")
    result = run_cli("inspect", "--extract", str(tmp_path / "taken"), "-",
                     stdin="#!/bin/sh\necho hi\n")
    assert_clean_error(result, 2, "is a file; name a directory")
    assert (tmp_path / "taken").read_text() == "x"


@pytest.mark.parametrize("query,fragment", [
    ({"allow_users": "a"}, 'add lockdown = "true" or drop allow_users'),
    ({"parts": "x.yaml"}, 'need format = "mime"'),
    ({"imds_endpoint": "http://x"}, 'allow_custom_endpoint = "true"'),
])
def test_terraform_errors_speak_in_query_keys(query, fragment):
    result = run_cli("terraform", stdin=json.dumps(query))
    assert result.returncode == 2 and result.stdout == ""
    assert fragment in result.stderr and "--" not in result.stderr, result.stderr


def test_readme_promises_one_line_usage_errors():
    assert "one line on stderr" in (ROOT / "README.md").read_text()
