"""The built-in templates' Python code shipped in the wheel (bootstrapper/template_code.py):
renders are byte-identical with and without it, Jinja does not parse a built-in template
it holds, and anything it does not hold exactly (a user's template, another Jinja) is
compiled as before."""

from __future__ import annotations

import sys
import types

import jinja2
import pytest

from bootstrapper import render, template_code
from bootstrapper.commands import resolve_profile
from support import EXAMPLES


def _clear() -> None:
    template_code.known.cache_clear()
    render._environment_class.cache_clear()


@pytest.fixture
def shipped(monkeypatch):
    """The module the wheel's build hook writes, importable as bootstrapper._template_code."""
    monkeypatch.setenv("BOOTSTRAPPER_NO_CACHE", "1")
    module = types.ModuleType("bootstrapper._template_code")
    exec(template_code.module_text(), module.__dict__)  # noqa: S102 - our own generated code
    monkeypatch.setitem(sys.modules, "bootstrapper._template_code", module)
    _clear()
    yield module
    _clear()


@pytest.fixture
def parses(monkeypatch):
    """The names of the templates Jinja parses from source."""
    seen: list[str] = []
    original = jinja2.Environment._parse

    def counting(self, source, name, filename):
        seen.append(name)
        return original(self, source, name, filename)

    monkeypatch.setattr(jinja2.Environment, "_parse", counting)
    return seen


def _render_all() -> list[str]:
    return [render.render(resolve_profile(str(path), {"format": fmt})).text
            for path in EXAMPLES for fmt in ("cloud-config", "shell")]


def test_renders_are_identical_and_no_built_in_template_is_parsed(shipped, parses,
                                                                  monkeypatch):
    with_table = _render_all()
    assert parses == []
    monkeypatch.setitem(sys.modules, "bootstrapper._template_code", None)  # not shipped
    _clear()
    assert render._environment_class() is jinja2.Environment
    assert _render_all() == with_table
    assert "cloud-config.yaml.j2" in parses


def test_a_users_partial_of_the_same_name_is_compiled_and_wins(shipped, parses, tmp_path):
    (tmp_path / "partials").mkdir()
    original = (render.builtin_dir() / "partials" / "first-boot.sh.j2").read_text()
    (tmp_path / "partials" / "first-boot.sh.j2").write_text(original + "# the user's own\n")
    prof = resolve_profile(None, {"role": "r", "template_dir": str(tmp_path)})
    assert "# the user's own" in render.render(prof).text
    assert parses == ["partials/first-boot.sh.j2"]


def test_a_table_from_another_jinja_is_not_used(shipped, monkeypatch):
    monkeypatch.setattr(shipped, "JINJA_VERSION", "0.0")
    _clear()
    assert template_code.known() == {}
    assert render._environment_class() is jinja2.Environment


def test_without_the_table_the_environment_is_jinjas_own(monkeypatch):
    monkeypatch.setitem(sys.modules, "bootstrapper._template_code", None)  # ImportError
    _clear()
    try:
        assert render._environment_class() is jinja2.Environment
    finally:
        _clear()
