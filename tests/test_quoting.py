"""The one quoting path, fuzzed with hostile strings and checked by the real consumers:
dash parses the shell word back to the same bytes, PyYAML reads the scalar back."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from bootstrapper import quoting
from bootstrapper.errors import TemplateError

HOSTILE = ["'", '"', "$(touch /tmp/canary)", "`id`", "a\nb", "---", "...", "- x", "#c", "{a: b}",
           "*alias", "&anchor", "!!python/object:os.system", "é ü ✓ 😀", "\t", "\\", "%s", "'\\''",
           "\r", "\u2028", "\x7f", "\x1b[31m", "key: value", "? x", "| x", "> x", "@", "", " "]

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
hostile = st.one_of(text, st.sampled_from(HOSTILE),
                    st.lists(st.sampled_from(HOSTILE), max_size=5).map("".join))


def _dash_echo(word: str) -> bytes:
    return subprocess.run([shutil.which("dash") or "sh", "-c", f"printf %s {word}"],
                          capture_output=True, check=True).stdout


@settings(max_examples=150, deadline=None)
@given(hostile)
def test_sh_is_one_literal_word(value):
    assert _dash_echo(quoting.sh(value)) == value.encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("value", HOSTILE)
def test_sh_hostile_samples(value):
    assert _dash_echo(quoting.sh(value)) == value.encode()


def test_sh_refuses_nul():
    with pytest.raises(TemplateError, match="NUL"):
        quoting.sh("a\x00b")


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_yaml_scalar_round_trips_in_any_position(value):
    scalar = quoting.yaml_scalar(value)
    assert "\n" not in scalar
    doc = f"a: {scalar}\nlist:\n  - {scalar}\nb: 1\n"
    assert yaml.safe_load(doc) == {"a": value, "list": [value], "b": 1}


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_yaml_block_round_trips(value):
    content = value if value.endswith("\n") else value + "\n"
    doc = f"files:\n- path: x\n  content: {quoting.yaml_block(content, 3)}\nafter: 1\n"
    assert yaml.safe_load(doc) == {"files": [{"path": "x", "content": content}], "after": 1}


def test_yaml_block_is_literal_for_plain_scripts():
    assert quoting.yaml_block("#!/bin/sh\necho hi\n", 3) == "|\n   #!/bin/sh\n   echo hi"


@pytest.mark.parametrize("value,expected", [(True, "true"), (False, "false"), (7, "7")])
def test_yaml_scalar_typed_values(value, expected):
    assert quoting.yaml_scalar(value) == expected


def test_strip_comments_keeps_header_and_directives():
    text = "#!/bin/sh\n# header\nset -eu\n# why\n\t# indented why\n# shellcheck disable=SC1\necho '#x'\n"
    assert quoting.strip_comments(text) == \
        "#!/bin/sh\n# header\nset -eu\n# shellcheck disable=SC1\necho '#x'\n"
