"""The compiled built-in schema (bootstrapper/schema_compiled.py): current, and never looser
than jsonschema, so render refuses exactly what it refused when jsonschema judged alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bootstrapper import schema as builtin
from bootstrapper import schema_compiled
from bootstrapper.lint import schemas
from bootstrapper.userdata.cloudconfig import parse
from support import ROOT



def test_committed_module_is_what_the_generator_writes_from_the_current_schema():
    from bootstrapper.testing.compiled_schema import TARGET, generate

    assert TARGET.read_text(encoding="utf-8") == generate(), \
        "schema_compiled.py is stale: run ./dev schema and commit it"


def _jsonschema_issues(document) -> list:
    checker = schemas.Checker(schemas.load("builtin"))
    checker._fast = None  # jsonschema alone: the verdict before the compiled check existed
    return checker.issues(document)


def _property_names(node, out: set) -> set:
    if isinstance(node, dict):
        out.update(node.get("properties", {}))
        for value in node.values():
            _property_names(value, out)
    elif isinstance(node, list):
        for value in node:
            _property_names(value, out)
    return out


KEYS = sorted(_property_names(builtin.builtin_schema(), set()))
STRINGS = st.sampled_from(["0644", "0644\n", "644", "0o644", "now", "+5", "5", "", "x",
                           "https://example.com/x", "not a uri", "root", "root:root",
                           "true", "always", "ls -l"]) | st.text(max_size=8)
SCALARS = st.none() | st.booleans() | st.integers(-2, 70000) | st.floats(allow_nan=False) | \
    STRINGS | st.binary(max_size=4)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=4), max_leaves=12)
DOCUMENTS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_compiled_check_says_valid_only_where_jsonschema_finds_nothing(document):
    if schema_compiled.valid(document):
        assert _jsonschema_issues(document) == []


def _cloud_configs() -> list[Path]:
    """Every cloud-config the repository holds: golden renders, examples, lint corpora."""
    found = []
    for path in sorted(ROOT.glob("tests/**/*.y*ml")) + sorted(ROOT.glob("examples/**/*")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if text.startswith("#cloud-config"):
            found.append(path)
    return found


@pytest.mark.parametrize("path", _cloud_configs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_check_agrees_on_every_cloud_config_in_the_repository(path):
    data = parse(path.read_text(encoding="utf-8")).data
    if schema_compiled.valid(data):
        assert _jsonschema_issues(data) == []


def test_golden_renders_pass_the_compiled_check_so_render_skips_jsonschema():
    goldens = sorted((ROOT / "tests" / "golden").glob("*.yaml"))
    assert goldens
    for path in goldens:
        assert schema_compiled.valid(parse(path.read_text(encoding="utf-8")).data), path


def test_a_stale_compiled_module_is_not_used(monkeypatch):
    monkeypatch.setattr(schema_compiled, "SCHEMA_SHA256", "0" * 64)
    assert schemas._compiled(schemas.load("builtin")) is None


def test_an_invalid_document_is_still_judged_and_worded_by_jsonschema():
    checker = schemas.Checker(schemas.load("builtin"))
    assert checker._fast is not None
    issues = checker.issues(json.loads('{"packages": "curl"}'))
    assert [i.message for i in issues] == _jsonschema_messages({"packages": "curl"})


def _jsonschema_messages(document) -> list[str]:
    return [i.message for i in _jsonschema_issues(document)]


def test_decimal_is_checked_without_importing_decimal():
    """The generated code asks isinstance(value, Decimal): the same answers, but importing
    the module (on every render that misses the cache) does not import decimal."""
    import decimal

    assert isinstance(decimal.Decimal("1.5"), schema_compiled.Decimal)
    assert not isinstance(1.5, schema_compiled.Decimal)
    assert not isinstance("1.5", schema_compiled.Decimal)
    done = subprocess.run([sys.executable, "-c", "import sys, bootstrapper.schema_compiled; "
                           "print('decimal' in sys.modules)"], capture_output=True, text=True,
                          check=False)
    assert done.stdout.strip() == "False", done.stderr
