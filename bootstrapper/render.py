"""Profile → user-data text, through Jinja with StrictUndefined and the one quoting path.

Loader chain: the user's --template file, then --template-dir, then the built-in templates,
so a user can extend an entry template or replace one partial by name.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__, cache, quoting
from .errors import InputError, TemplateError
from .profile import Profile
from .taint import UserValue

ENTRY_TEMPLATES = {"cloud-config": "cloud-config.yaml.j2", "shell": "user-data.sh.j2"}


def _refuse_unquoted(value: Any) -> Any:
    if isinstance(value, UserValue):
        raise TemplateError(
            f"a vars value ({_preview(value)}) is printed without a quoting filter: use "
            "| sh in shell lines, | yaml in YAML values, or | raw to insert it verbatim")
    return value


def _preview(value: str) -> str:
    return repr(value if len(value) <= 20 else value[:17] + "...")


def raw(value: Any) -> str:
    """The opt-out: insert a value verbatim (it is then the template's responsibility)."""
    return str.__str__(value) if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Rendered:
    text: str
    kind: str  # "cloud-config" or "shell"
    template: str  # the entry template's name, for messages


def builtin_dir() -> Path:
    """The built-in templates: bundled in the wheel, or the repo's top-level templates/."""
    bundled = Path(__file__).parent / "templates"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent.parent / "templates"


def heredoc_delimiter(content: str) -> str:
    """A here-document delimiter that is not a line of `content`."""
    lines = set(content.split("\n"))
    delimiter, n = "BOOTSTRAPPER_EOF", 0
    while delimiter in lines:
        n += 1
        delimiter = f"BOOTSTRAPPER_EOF_{n}"
    return delimiter


def environment(template_dir: str | None = None, entry_file: str | None = None):
    import jinja2  # lazy: ~100 ms

    loaders: list[Any] = []
    if entry_file:
        loaders.append(_file_loader(os.path.abspath(entry_file)))
    if template_dir:
        if not os.path.isdir(template_dir):
            why = ("is a file, not a directory (for one template use --template)"
                   if os.path.exists(template_dir) else "does not exist")
            raise InputError(f"{template_dir}: template directory {why}")
        for stale in ("partials/bootstrapper-imds.sh.j2", "partials/bootstrapper-imds.sh"):
            if os.path.exists(os.path.join(template_dir, stale)):
                # Silently ignoring it would drop whatever the user changed there.
                raise InputError(
                    f"{os.path.join(template_dir, stale)}: the credentials helper is no longer "
                    "a template: its code is the built-in, checked "
                    "partials/bootstrapper-imds.sh; override "
                    "partials/bootstrapper-imds.conf.j2 for its configuration, or add your "
                    "steps to the before_credentials/after_credentials blocks, and remove "
                    "this file")
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders.append(jinja2.FileSystemLoader(str(builtin_dir())))
    env = _environment_class()(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,
        finalize=_refuse_unquoted,
        bytecode_cache=_bytecode_cache(),
    )
    # `| yaml` takes no argument: the shell-inert escaping cannot be turned off in a template.
    env.filters.update(sh=quoting.sh, yaml=lambda value: quoting.yaml_scalar(value),
                       yaml_block=quoting.yaml_block, json=quoting.json_string,
                       strip_comments=quoting.strip_comments, raw=raw,
                       gz_b64=quoting.gz_b64)
    env.globals.update(heredoc_delimiter=heredoc_delimiter, version=__version__,
                       helper_script=_helper_script)
    return env


def _helper_script(config: str, profile: Profile) -> str:
    """The installed helper: `config` (the rendered partials/bootstrapper-imds.conf.j2), then
    the static file's checked body with the sections this profile uses."""
    from . import helper

    return helper.script(config, helper.sections(profile))


@lru_cache(maxsize=1)
def _environment_class():
    """jinja2.Environment, taking the built-in templates' Python code from the table the
    wheel ships (see template_code.py) instead of generating it again on every render."""
    import jinja2
    from jinja2.utils import internalcode

    from .template_code import code, digest, known

    ahead = known()
    if not ahead:
        return jinja2.Environment

    class Environment(jinja2.Environment):
        @internalcode
        def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
            if isinstance(source, str) and not raw and not defer_init:
                module = ahead.get((name, digest(source)))
                if module is not None:  # its bytecode: compiled once, when installed
                    return code(module, filename or "<template>")
            return super().compile(source, name, filename, raw, defer_init)

    return Environment


def _bytecode_cache():
    import jinja2

    where = cache.directory("jinja")
    if where is None:
        return None
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(where))


def _file_loader(path: str):
    """A loader serving exactly one file (the --template entry), named by its absolute path,
    so it can `{% extends "cloud-config.yaml.j2" %}` without shadowing the built-in."""
    import jinja2

    class FileLoader(jinja2.BaseLoader):
        def get_source(self, environment, template):  # noqa: ANN001 - jinja2's protocol
            if template != path:
                raise jinja2.TemplateNotFound(template)
            from .inputs import read_capped

            try:
                source = read_capped(path, "template").decode("utf-8")
            except (OSError, UnicodeDecodeError) as err:
                raise InputError(f"{path}: cannot read template: "
                                 f"{getattr(err, 'strerror', None) or err}") from err
            return source, path, lambda: True

    return FileLoader()


def render(profile: Profile) -> Rendered:
    """Render the profile's entry template (its own --template, or the built-in one).

    The result is cached under a key of every input (see cache.py), so a repeated render
    does not even import Jinja."""
    digest = _render_key(profile)
    hit = cache.load("rendered", digest) if digest else None
    if hit is not None and "\n" in hit:
        kind, name, text = hit.split("\n", 2)
        return Rendered(text=text, kind=kind, template=name)
    rendered = _render(profile)
    if digest:
        cache.store("rendered", digest, f"{rendered.kind}\n{rendered.template}\n{rendered.text}")
    return rendered


def _render_key(profile: Profile) -> str | None:
    if cache.directory("rendered") is None:
        return None
    sources = [builtin_dir()] + [Path(p) for p in (profile.template_dir, profile.template) if p]
    if any(not p.exists() for p in sources):
        return None  # let the render report what is missing
    tree = cache.tree_digest(sources)
    if not tree:
        return None  # a template that is no regular file (/dev/stdin): render it every time
    inputs = json.dumps(profile.to_dict(), sort_keys=True, default=str)
    return cache.key(inputs, tree, os.path.abspath(profile.template or ""))


def _render(profile: Profile) -> Rendered:
    import jinja2

    env = environment(profile.template_dir, profile.template)
    name = os.path.abspath(profile.template) if profile.template else \
        ENTRY_TEMPLATES["shell" if profile.format == "shell" else "cloud-config"]
    user_vars = {key: UserValue(value) for key, value in profile.vars.items()}
    context = {"profile": profile, "vars": user_vars, "version": __version__}
    if profile.vars:
        _check_taint(env, profile, name)
    try:
        parent = _check_blocks(env, name, profile.template) if profile.template else None
        text = env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as err:
        where = f"{err.filename or err.name}:{err.lineno}"
        hint = _filter_hint(err.message or "", env)
        message = (err.message or "").rstrip(".") if hint else err.message
        raise TemplateError(f"{where}: template syntax error: {message}{hint}") from err
    except jinja2.TemplateNotFound as err:
        raise TemplateError(f"template not found: {err.name} (looked in "
                            f"{', '.join(_search_path(profile))})") from err
    except jinja2.UndefinedError as err:
        raise TemplateError(f"{_template_line(err)}: {_undefined(err.message or '')}"
                            f"{_var_hint(err.message or '', profile)}") from err
    except TemplateMistake:
        raise
    except TemplateError as err:
        raise TemplateError(f"{_template_line(err)}: {err}") from err
    kind = _kind_of(text, profile)
    if profile.template:
        _check_options_fit(profile, kind, parent)
    return Rendered(text=text, kind=kind, template=name)


# --- a user's template: mistakes that would otherwise render the default silently -------


class TemplateMistake(TemplateError):
    """A mistake in the user's template found before rendering; its message is located."""


def _check_blocks(env, name: str, shown: str) -> tuple[str, int] | None:
    """Refuse a block the parent template does not define (Jinja would silently drop it).
    Returns (parent name, line of the extends tag), or None for a template that extends
    nothing or a computed name."""
    import jinja2

    source, filename, _ = env.loader.get_source(env, name)
    tree = env.parse(source, name, filename)
    extends = next(tree.find_all(jinja2.nodes.Extends), None)
    if extends is None or not isinstance(extends.template, jinja2.nodes.Const):
        return None
    parent = extends.template.value
    offered = _blocks_offered(env, parent)
    for block in _outer_blocks(tree):
        if block.name not in offered:
            raise TemplateMistake(
                f"{shown}:{block.lineno}: block {block.name!r} is not a block of {parent}, "
                f"so it would be ignored{_suggest(block.name, offered)} (its blocks: "
                f"{', '.join(offered)}; see `bootstrapper templates list`)")
    return parent, extends.lineno


def _blocks_offered(env, name: str, depth: int = 0) -> list[str]:
    """Every block `name` defines, and those of the templates it extends."""
    import jinja2

    source, filename, _ = env.loader.get_source(env, name)
    tree = env.parse(source, name, filename)
    blocks = [b.name for b in tree.find_all(jinja2.nodes.Block)]
    extends = next(tree.find_all(jinja2.nodes.Extends), None)
    if depth < 10 and extends is not None and isinstance(extends.template, jinja2.nodes.Const):
        blocks += _blocks_offered(env, extends.template.value, depth + 1)
    return list(dict.fromkeys(blocks))


def _outer_blocks(node):
    """Blocks not nested in another block: those a child template overrides (a block
    inside one of them is the child's own)."""
    import jinja2

    for child in node.iter_child_nodes():
        if isinstance(child, jinja2.nodes.Block):
            yield child
        else:
            yield from _outer_blocks(child)


def _check_options_fit(profile: Profile, kind: str, parent: tuple[str, int] | None) -> None:
    """Refuse options the user's template cannot honour instead of ignoring them."""
    where = f"{profile.template}:{parent[1] if parent else 1}"
    what = f"extends {parent[0]}" if parent else "its first line says so"
    if profile.format == "shell" and kind != "shell":
        raise TemplateMistake(
            f"{where}: --format shell, but this template renders {kind} ({what}): drop "
            "--format, or extend user-data.sh.j2")
    if profile.install_missing and kind == "shell":
        raise TemplateMistake(
            f"{where}: --install-missing needs cloud-config (packages:), but this template "
            f"renders a shell script ({what}): drop it, or extend cloud-config.yaml.j2")


def check_format_given(profile: Profile) -> None:
    """An explicit `--format cloud-config` (or `format: shell`) beside a --template that
    extends the other entry template: refuse it rather than print the template's kind.
    (The default format says nothing, so only a format the user wrote is checked.)"""
    if not profile.template or profile.format == "mime":
        return  # before importing Jinja: the built-in templates are of the format asked
    import jinja2

    env = environment(profile.template_dir, profile.template)
    name = os.path.abspath(profile.template)
    try:
        found = _entry_of(env, name)
    except (jinja2.TemplateError, OSError):
        return  # the render itself reports what is wrong with the template
    if found is not None and found[0] != profile.format:
        kind, line = found
        raise TemplateMistake(
            f"{profile.template}:{line}: --format {profile.format}, but this template "
            f"renders {kind} (it extends {ENTRY_TEMPLATES[kind]}): drop --format, or extend "
            f"{ENTRY_TEMPLATES[profile.format]}")


def _entry_of(env, name: str) -> tuple[str, int] | None:  # noqa: ANN001 - jinja2's
    """(kind, line of the user's extends tag) of the entry template `name` extends."""
    import jinja2

    entries = {v: k for k, v in ENTRY_TEMPLATES.items()}
    line = None
    for _ in range(10):
        source, filename, _ = env.loader.get_source(env, name)
        extends = next(env.parse(source, name, filename).find_all(jinja2.nodes.Extends), None)
        if extends is None or not isinstance(extends.template, jinja2.nodes.Const):
            return None
        line = line or extends.lineno
        name = extends.template.value
        if name in entries:
            return entries[name], line
    return None


def _suggest(name: str, options: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _filter_hint(message: str, env) -> str:  # noqa: ANN001 - a jinja2.Environment
    """`{{ x | shell }}`: name the filter meant (sh), or list ours."""
    match = re.fullmatch(r"No filter named '(.+?)'\.?", message)
    if not match:
        return ""
    ours = ["sh", "yaml", "yaml_block", "json", "raw", "strip_comments", "gz_b64"]
    name = match.group(1)
    prefixed = [o for o in ours if name.startswith(o) or o.startswith(name)]
    hint = f"; did you mean {prefixed[0]!r}?" if prefixed else \
        _suggest(name, ours) or _suggest(name, sorted(env.filters))
    return hint or f" (ours: {', '.join(ours)})"


def _var_hint(message: str, profile: Profile) -> str:
    """`vars.domian` when `domain` was given: name it."""
    match = re.fullmatch(r"'dict object' has no attribute '(.+)'", message)
    return _suggest(match.group(1), sorted(profile.vars)) if match else ""


def _check_taint(env, profile: Profile, entry: str) -> None:
    """The static half of the vars taint (taint.py) over the user's own templates: the
    entry and every template in --template-dir (the built-ins never print vars)."""
    import jinja2

    from . import taint

    names = [entry] if profile.template else []
    if profile.template_dir:
        root = Path(profile.template_dir)
        names += sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    for name in names:
        try:
            source, filename, _ = env.loader.get_source(env, name)
            taint.check_source(source, filename or name, env)
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError, jinja2.TemplateNotFound):
            continue  # not a template (or not one this render uses): the render says so


def _undefined(message: str) -> str:
    match = re.fullmatch(r"'dict object' has no attribute '(.+)'", message)
    if match:
        name = match.group(1)
        return (f"undefined variable: vars.{name} (set it with --var {name}=VALUE or "
                f"under vars: in the profile)")
    match = re.fullmatch(r"'[\w.]*Profile object' has no attribute '(.+)'", message)
    if match:
        return (f"undefined variable: profile.{match.group(1)} (profile fields are the "
                "render options, e.g. profile.role; see `bootstrapper render --help`)")
    match = re.fullmatch(r"'(.+)' is undefined", message)
    if match:
        return f"undefined variable: {match.group(1)} (templates see profile, vars and version)"
    return f"undefined: {message}"


def _kind_of(text: str, profile: Profile) -> str:
    if profile.template:  # a user's template says what it is by its first line
        return "shell" if text.startswith("#!") else "cloud-config"
    return "shell" if profile.format == "shell" else "cloud-config"


def _search_path(profile: Profile) -> list[str]:
    return [p for p in (profile.template_dir, str(builtin_dir())) if p]


def _template_line(err: BaseException) -> str:
    """`file:line` of the innermost template frame in the traceback."""
    where = "template"
    tb = err.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or filename.startswith("/") and "site-packages" not in \
                filename and not filename.endswith(".py"):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where
