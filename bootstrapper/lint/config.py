"""Lint settings: defaults < `[tool.bootstrapper.lint]` in pyproject.toml < command line.

    [tool.bootstrapper.lint]
    severity = "warning"            # report findings at or above this
    schema = "auto"                 # auto | builtin | cloud-init | path/to/schema.json
    cloud-init-version = "23.4"     # the release that reads the files (default: installed)
    baseline = "lint-baseline.json" # findings already there are not reported
    exclude = ["tests/fixtures/*"]  # skipped when walking directories
    extend-include = ["infra/*.sh"] # linted when walking directories, besides the defaults
    disable = ["size-limit"]

    [tool.bootstrapper.lint.rules.shellcheck]
    severity = "error"              # every finding of the rule at this severity ("off": none)
    exclude = ["SC2086"]            # the rule's own options (see docs/lint.md)

Every key is checked: a typo is an error that names it and suggests the closest key.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from ..errors import BootstrapperError
from ..problem import SEVERITIES

# Walking a directory lints files named like user-data, and YAML/template files whose
# first line says they are (SNIFF). Scripts (*.sh) are not user-data unless so named.
DEFAULT_INCLUDE = ("*user-data*", "*user_data*", "*userdata*", "*.cloud-config",
                   "*cloud-config*.yaml", "*cloud-config*.yml", "*.mime")
SNIFF = ("*.yaml", "*.yml", "*.cfg", "*.j2", "*.jinja", "*.tpl", "*.tmpl", "*.txt")
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__",
                   ".tox", ".terraform", ".mypy_cache", ".pytest_cache")
OFF = "off"
_TOP_KEYS = ("severity", "schema", "cloud-init-version", "baseline", "include",
             "extend-include", "exclude", "disable", "rules")


@dataclass(frozen=True, eq=False)  # compared by no one
class RuleConfig:
    """What the settings say about one rule."""

    enabled: bool = True
    severity: str | None = None  # None: each finding keeps the severity its rule gave it
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    own: bool = False  # configured by its own id (not only through the id it was split from)


@dataclass(frozen=True, eq=False)  # compared by no one
class Settings:
    """Everything lint was told: by pyproject.toml, the command line, or render."""

    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    severity: str = "info"
    schema: str = "auto"  # with "@VERSION" when a cloud-init version is set (schemas.load)
    cloud_init_version: str = ""
    baseline: str = ""  # a file of findings to suppress (see baseline.py)
    rules: Mapping[str, RuleConfig] = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""  # the pyproject.toml these came from
    root: str = "."  # patterns with a "/" are relative to this directory

    def rule(self, rule_id: str) -> RuleConfig:
        return self.rules.get(rule_id, RuleConfig())


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` (as ruff and black look for theirs)."""
    for directory in [start, *start.parents]:
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load(path: Path | None, registry: Mapping[str, Any]) -> Settings:
    """Settings from `path` (a pyproject.toml), checked against the rule `registry`."""
    if path is None:
        return Settings(rules=_rule_configs({}, registry, ""))
    import tomllib  # lazy: only when there is a file

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise BootstrapperError(f"{path}: cannot read: {getattr(err, 'strerror', err)}") from err
    except tomllib.TOMLDecodeError as err:
        raise BootstrapperError(f"{path}: not valid TOML: {err}") from err
    table = data.get("tool", {}).get("bootstrapper", {}).get("lint", {})
    where = f"{path}: [tool.bootstrapper.lint]"
    if not isinstance(table, dict):
        raise BootstrapperError(f"{where} must be a table")
    _check_keys(table, _TOP_KEYS, where)
    settings = Settings(
        include=_patterns(table, "include", DEFAULT_INCLUDE, where)
        + _patterns(table, "extend-include", (), where),
        exclude=DEFAULT_EXCLUDE + _patterns(table, "exclude", (), where),
        severity=_choice(table.get("severity", "info"), SEVERITIES, f"{where} severity"),
        schema=_string(table.get("schema", "auto"), f"{where} schema"),
        baseline=_string(table["baseline"], f"{where} baseline") if "baseline" in table else "",
        rules=_rule_configs(table, registry, where),
        source=str(path), root=str(path.parent))
    if settings.schema not in ("auto", "builtin", "cloud-init"):
        settings = replace(settings, schema=str(path.parent / settings.schema))
    if settings.baseline:
        settings = replace(settings, baseline=str(path.parent / settings.baseline))
    version = table.get("cloud-init-version")
    if version is not None:
        settings = _with_version(settings, _string(str(version), f"{where} cloud-init-version"))
    return settings


def _with_version(settings: Settings, version: str) -> Settings:
    """Target a cloud-init release: checked now (a clear error), carried in `schema`."""
    from .schemas import resolve_version, split_choice

    resolve_version(version)
    base, _ = split_choice(settings.schema)
    return replace(settings, schema=f"{base}@{version}", cloud_init_version=version)


def _rule_configs(table: dict, registry: Mapping[str, Any], where: str) -> Mapping[str, RuleConfig]:
    disabled = _patterns(table, "disable", (), where)
    for rule_id in disabled:
        _check_keys({rule_id: 1}, tuple(registry), f"{where} disable")
    rules_table = table.get("rules", {})
    if not isinstance(rules_table, dict):
        raise BootstrapperError(f"{where} rules must be a table of rule ids")
    _check_keys(rules_table, tuple(registry), f"{where}.rules")
    out = {}
    for rule_id, module in registry.items():
        given = rules_table.get(rule_id, {})
        at = f"{where}.rules.{rule_id}"
        if not isinstance(given, dict):
            raise BootstrapperError(f"{at} must be a table")
        _check_keys(given, ("severity", *module.OPTIONS), at)
        severity = given.get("severity")
        if severity is not None:
            _choice(severity, (*SEVERITIES, OFF), f"{at} severity")
        options = dict(module.OPTIONS)
        for name, value in given.items():
            if name != "severity":
                options[name] = _typed(value, module.OPTIONS[name], f"{at} {name}")
                if name in getattr(module, "CHOICES", {}):
                    _choice(value, module.CHOICES[name], f"{at} {name}")
        out[rule_id] = RuleConfig(rule_id not in disabled and severity != OFF,
                                  None if severity == OFF else severity,
                                  MappingProxyType(options),
                                  rule_id in rules_table or rule_id in disabled)
    for rule_id, module in registry.items():
        if hasattr(module, "FORMERLY") and not out[rule_id].own:
            out[rule_id] = _inherited(out[rule_id], out[module.FORMERLY[0]], module.FORMERLY[1])
    return MappingProxyType(out)


def _inherited(config: RuleConfig, former: RuleConfig, option: str) -> RuleConfig:
    """A check split off a rule keeps what the settings say about that rule (off, its
    severity, its old option that switched the check), unless set by its own id: settings
    written before the split mean the same after it."""
    return replace(config, enabled=former.enabled and former.options.get(option, True) is not False,
                   severity=former.severity)


def with_options(settings: Settings, *, severity: str | None = None, schema: str | None = None,
                 disable: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
                 cloud_init_version: str | None = None, baseline: str | None = None) -> Settings:
    """Command-line options over file settings; an unknown rule id is an error. Disabling
    a rule also disables the checks split off it, unless the settings name them."""
    from .rules import FORMER_IDS

    rules = dict(settings.rules)
    for rule_id in disable:
        _check_keys({rule_id: 1}, tuple(rules), "--disable")
        rules[rule_id] = replace(rules[rule_id], enabled=False, own=True)
        for split, former in FORMER_IDS.items():
            if former == rule_id and split in rules and not rules[split].own:
                rules[split] = replace(rules[split], enabled=False)
    out = replace(settings, severity=severity or settings.severity,
                  schema=schema or settings.schema, exclude=settings.exclude + tuple(exclude),
                  baseline=settings.baseline if baseline is None else baseline,
                  rules=MappingProxyType(rules))
    version = cloud_init_version or (settings.cloud_init_version if schema else "")
    return _with_version(out, version) if version else out


def _check_keys(table: dict, allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            import difflib  # lazy: only for a mistake (a render's validation loads this module)

            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else \
                f"; expected one of: {', '.join(allowed)}"
            raise BootstrapperError(f"{where}: unknown key {key!r}{hint}")


def _patterns(table: dict, key: str, default: tuple[str, ...], where: str) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BootstrapperError(f"{where} {key} must be a list of strings")
    return tuple(value)


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise BootstrapperError(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise BootstrapperError(f"{where} must be a non-empty string")
    return value


def _typed(value: Any, default: Any, where: str) -> Any:
    if isinstance(default, (list, tuple)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BootstrapperError(f"{where} must be a list of strings")
        return tuple(value)
    if type(value) is not type(default):
        raise BootstrapperError(f"{where} must be a {type(default).__name__}")
    return value
