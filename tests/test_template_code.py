"""The built-in templates' Python code shipped in the wheel (bootstrapper/template_code.py):
renders are byte-identical with and without it, Jinja does not parse a built-in template
it holds, and anything it does not hold exactly (a user's template, another Jinja) is
compiled as before."""

from __future__ import annotations

import importlib.util
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
def shipped(monkeypatch, tmp_path):
    """The package the wheel's build hook writes, importable as bootstrapper._template_code."""
    monkeypatch.setenv("BOOTSTRAPPER_NO_CACHE", "1")
    where = tmp_path / template_code.MODULE
    where.mkdir()
    for name, text in template_code.module_files().items():
        (where / name).write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(
        "bootstrapper._template_code", where / "__init__.py",
        submodule_search_locations=[str(where)])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
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


def _same(got: types.CodeType, want: types.CodeType) -> bool:
    """Equal code: bytecode, names, constants, line tables, file name, all functions in it."""
    fields = ("co_code", "co_names", "co_varnames", "co_freevars", "co_cellvars", "co_flags",
              "co_argcount", "co_kwonlyargcount", "co_stacksize", "co_filename", "co_name",
              "co_qualname", "co_firstlineno", "co_linetable", "co_exceptiontable")
    if any(getattr(got, f) != getattr(want, f) for f in fields) or \
            len(got.co_consts) != len(want.co_consts):
        return False
    return all(_same(g, w) if isinstance(w, types.CodeType) else (type(g), g) == (type(w), w)
               for g, w in zip(got.co_consts, want.co_consts))


def test_the_shipped_code_is_what_jinja_compiles_named_after_the_template(shipped):
    """The renderer loads each module's bytecode instead of compiling it: the same code,
    under the template's file name (what tracebacks and Jinja's debug info use)."""
    for (name, _), path in template_code.known().items():
        filename = str(render.builtin_dir() / name)
        source = open(path, encoding="utf-8").read()
        # as jinja2.Environment._compile does (its module has no __future__ flags to pass on)
        want = compile(source, filename, "exec", dont_inherit=True)
        assert _same(template_code.code(path, filename), want)
        assert template_code.code(path, filename).co_filename == filename
