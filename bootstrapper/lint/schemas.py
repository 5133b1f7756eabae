"""Which cloud-config schema lint validates against, and a validator that judges like
cloud-init 22.4's own `cloud-init schema`.

Sources: `auto` (the installed cloud-init's JSON schema when there is one, else the
built-in), `builtin`, `cloud-init` (installed one, required), or a path to a JSON file.

Which top-level keys exist depends on the cloud-init release that will read the file
(`ubuntu_pro` from 24.1, `ansible` from 22.4, ...): the key lists of the releases users
boot are bundled (schemas/cloud-init-keys.json), and `CHOICE@VERSION` (as settings pass
it: `--cloud-init-version`) picks one; without a version, the installed cloud-init's, else
the newest bundled. The Source's name says which, for the report header.
cloud-init validates with draft 4, lets bytes pass as strings, checks `format`s, and
treats a `deprecated: true` key as a note, not an error (also inside oneOf/anyOf): the
validator below does the same, so lint agrees with `cloud-init schema -c` on
valid-versus-invalid.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import schema as builtin
from ..errors import BootstrapperError

SCHEMA_NAME = "schema-cloud-config-v1.json"
SEARCH = [f"/usr/lib/python3/dist-packages/cloudinit/config/schemas/{SCHEMA_NAME}",
          f"/usr/lib/python3*/site-packages/cloudinit/config/schemas/{SCHEMA_NAME}",
          f"/usr/lib64/python3*/site-packages/cloudinit/config/schemas/{SCHEMA_NAME}",
          f"/usr/local/lib/python3*/*-packages/cloudinit/config/schemas/{SCHEMA_NAME}"]
# Keys cloud-init reads from user-data that no module schema lists (merging, logging,
# system config that user-data may override): never "unknown".
BASE_KEYS = frozenset({
    "merge_how", "merge_type", "_log", "log_cfgs", "output", "system_info", "datasource",
    "datasource_list", "vendor_data", "vendor_data2", "network", "user", "users", "groups",
    "cloud_init_modules", "cloud_config_modules", "cloud_final_modules", "syslog_fix_perms",
    "def_log_file", "manage_resolv_conf", "preserve_hostname", "disable_root", "version",
    "reporting", "allow_public_ssh_keys", "ssh_pwauth", "disable_ec2_metadata",
})
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


@dataclass(frozen=True, eq=False, repr=False)  # compared and shown by no one
class Source:
    """A loaded schema: `name` says which, for messages and SARIF."""

    name: str
    schema: dict
    known_keys: frozenset[str]
    directory: str = ""
    version: str = ""  # the cloud-init release whose keys are known_keys


@dataclass(frozen=True, eq=False)  # compared by no one
class Issue:
    """One thing the schema says about a document."""

    path: tuple
    message: str
    deprecated: bool
    instance: Any


def installed_path(search: list[str] = SEARCH) -> str | None:
    """The installed cloud-init's cloud-config schema, if any."""
    spec = importlib.util.find_spec("cloudinit")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location) / "config" / "schemas" / SCHEMA_NAME
            if candidate.is_file():
                return str(candidate)
    for pattern in search:
        found = sorted(glob.glob(pattern))
        if found:
            return found[-1]
    return None


KEYS_PATH = Path(__file__).resolve().parent.parent / "schemas" / "cloud-init-keys.json"


@lru_cache(maxsize=1)
def release_keys() -> dict[str, frozenset[str]]:
    """Bundled cloud-init release -> the top-level keys its schema lists, oldest first."""
    data = json.loads(KEYS_PATH.read_text(encoding="utf-8"))["versions"]
    return {version: frozenset(keys) for version, keys in sorted(
        data.items(), key=lambda item: _numbers(item[0]))}


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def resolve_version(requested: str) -> str:
    """The bundled release that stands for `requested` ("24", "23.4", "22.2.2"): the newest
    bundled one not newer than it within its major release."""
    bundled = list(release_keys())
    if not re.fullmatch(r"\d+(\.\d+){0,2}", requested or ""):
        raise BootstrapperError(f"--cloud-init-version {requested!r}: expected a release "
                                f"like 24 or 23.4 (bundled: {', '.join(bundled)})")
    want = _numbers(requested)
    same_major = [v for v in bundled if _numbers(v)[0] == want[0]]
    fitting = [v for v in same_major if _numbers(v) <= want + (99, 99)[:3 - len(want)]]
    if fitting:
        return fitting[-1]
    if want > _numbers(bundled[-1]):
        return bundled[-1]
    raise BootstrapperError(f"--cloud-init-version {requested}: no key list bundled for it "
                            f"(bundled: {', '.join(bundled)})")


def releases_with(key: str) -> list[str]:
    """The bundled releases whose schema lists `key`."""
    return [version for version, keys in release_keys().items() if key in keys]


def split_choice(choice: str) -> tuple[str, str]:
    """`auto@24` -> ("auto", "24"); a path may hold "@" only before its last "/"."""
    base, at, version = choice.rpartition("@")
    if at and "/" not in version and re.fullmatch(r"[\d.]+", version):
        return base, version
    return choice, ""


@lru_cache(maxsize=8)
def load(choice: str = "auto") -> Source:
    """The schema `choice` names (see the module docstring), with the key list of the
    cloud-init release after its `@` (default: the installed one, else the newest)."""
    base, version = split_choice(choice)
    source = _load(base)
    if not version:
        path = installed_path()
        version = _cloud_init_version(path) if path else ""
    resolved = resolve_version(version) if version else list(release_keys())[-1]
    own = _keys_of(source.schema) if base not in ("auto", "builtin", "cloud-init") else frozenset()
    return replace(source, name=f"{source.name}, top-level keys of cloud-init {resolved}",
                   known_keys=release_keys()[resolved] | BASE_KEYS | own, version=resolved)


def _load(choice: str) -> Source:
    if choice == "builtin":
        return _builtin()
    if choice in ("auto", "cloud-init"):
        path = installed_path()
        if path:
            return _file(path, f"cloud-init {_cloud_init_version(path)}".rstrip())
        if choice == "cloud-init":
            raise BootstrapperError("--schema cloud-init: no installed cloud-init schema found "
                                    f"(looked for {SCHEMA_NAME}); use --schema builtin")
        return _builtin()
    return _file(choice, choice)


def _builtin() -> Source:
    data = builtin.builtin_schema()
    return Source("built-in", data, builtin.known_keys(data) | BASE_KEYS)


def _file(path: str, name: str) -> Source:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BootstrapperError(f"{path}: cannot read the schema: "
                                f"{getattr(err, 'strerror', None) or err}") from err
    if not isinstance(data, dict):
        raise BootstrapperError(f"{path}: a JSON schema must be an object")
    return Source(name, data, _keys_of(data) | builtin.known_keys() | BASE_KEYS,
                  str(Path(path).parent))


def _cloud_init_version(schema_path: str) -> str:
    version_file = Path(schema_path).parents[2] / "version.py"
    try:
        match = re.search(r'__VERSION__\s*=\s*"([^"]+)"', version_file.read_text())
    except OSError:
        return ""
    return match.group(1) if match else ""


def _keys_of(schema: dict) -> frozenset[str]:
    """Top-level property names, following the top-level allOf/$ref into $defs."""
    keys = set(schema.get("properties", {}))
    defs = schema.get("$defs", schema.get("definitions", {}))
    for entry in schema.get("allOf", []):
        target = entry
        ref = entry.get("$ref", "") if isinstance(entry, dict) else ""
        if ref.startswith("#/"):
            target = defs.get(ref.rsplit("/", 1)[-1], {})
        keys |= set(target.get("properties", {})) if isinstance(target, dict) else set()
    return frozenset(keys)


# --- the validator ------------------------------------------------------------------------


class Checker:
    """Validates documents against one Source; built once per run (building is the cost)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._fast = _compiled(source)
        self._built = None if self._fast else _validator(source)
        self._parts = _module_parts(source.schema)

    @property
    def _validator(self):
        """jsonschema's validator: built at once for any schema but the built-in one, whose
        compiled check (schema_compiled.py) spares a valid document importing jsonschema."""
        if self._built is None:
            self._built = _validator(self.source)
        return self._built

    def _errors(self, document: Any):
        """Like iter_errors; but cloud-init's schema is an allOf of ~60 module schemas,
        each only about its own keys, so only those naming a key of the document (or
        constraining more than their keys) are descended into: same verdict, ~5× faster."""
        if self._parts is None or not isinstance(document, dict):
            yield from self._validator.iter_errors(document)
            return
        keys = set(map(str, document))
        rest, parts = self._parts
        for entry, names in parts:
            if names is None or names & keys:
                yield from self._validator.descend(document, entry)
        if rest:
            yield from self._validator.descend(document, rest)

    def issues(self, document: Any) -> list[Issue]:
        if self._fast is not None and self._fast(document):
            return []  # the compiled check says "valid" only where jsonschema finds nothing
        self._validator  # noqa: B018 - built outside the try: its errors are its own
        try:
            return self._issues(document)
        except Exception as err:  # an unresolvable $ref, a broken pattern in a user's schema
            raise BootstrapperError(f"schema {self.source.name}: cannot validate with it: "
                                    f"{err}") from err

    def _issues(self, document: Any) -> list[Issue]:
        out = []
        for err in self._errors(document):
            leaf = _deepest(err)
            path = tuple(leaf.absolute_path)
            dotted = ".".join(str(p) for p in path) or "(top level)"
            message = _short(leaf.message)
            out.append(Issue(path, f"{dotted}: {message}", isinstance(err, _deprecation()),
                             err.instance))
        return out


def _compiled(source: Source):
    """The compiled validity check of the built-in schema (see schema_compiled.py), or None
    for any other schema, or when the generated module is not that of the current file."""
    if source.schema is not builtin.builtin_schema():
        return None
    import hashlib

    from .. import schema_compiled

    current = hashlib.sha256(builtin.SCHEMA_PATH.read_bytes()).hexdigest()
    return schema_compiled.valid if schema_compiled.SCHEMA_SHA256 == current else None


def _deepest(err):
    """The most specific cause of an error (oneOf/anyOf nest them): the longest path."""
    best = err
    for sub in err.context or ():
        candidate = _deepest(sub)
        if len(candidate.absolute_path) > len(best.absolute_path):
            best = candidate
    return best


_PRUNABLE = {"type", "properties", "additionalProperties", "description", "title"}


def _module_parts(schema: dict):
    """(the root's other keywords, [(allOf entry, the keys it is about, or None for an
    entry that must always be checked)]), or None when the root is no allOf."""
    entries = schema.get("allOf")
    if not isinstance(entries, list) or "properties" in schema:
        return None
    defs = schema.get("$defs", schema.get("definitions", {}))
    parts = []
    for entry in entries:
        target = entry
        ref = entry.get("$ref", "") if isinstance(entry, dict) else ""
        if ref.startswith("#/$defs/") or ref.startswith("#/definitions/"):
            target = defs.get(ref.rsplit("/", 1)[-1])
        simple = isinstance(target, dict) and set(target) <= _PRUNABLE and \
            target.get("type", "object") == "object" and \
            target.get("additionalProperties", True) in (True, {}) and \
            isinstance(target.get("properties", {}), dict)
        parts.append((entry, set(target.get("properties", {})) if simple else None))
    rest = {k: v for k, v in schema.items()
            if k not in ("allOf", "$defs", "definitions", "$schema", "$id", "id", "title",
                         "description")}
    return rest, parts


def _short(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[:limit - 1] + "…"


@lru_cache(maxsize=1)
def _deprecation() -> type:
    from jsonschema import ValidationError

    class Deprecation(ValidationError):
        """A `deprecated: true` key was used: a note, never an error."""

    return Deprecation


def _validator(source: Source):
    from jsonschema import Draft4Validator, FormatChecker, validators

    base = validators.validator_for(source.schema, default=Draft4Validator)
    strings = base.TYPE_CHECKER.redefine(
        "string", lambda _checker, value: isinstance(value, (str, bytes)))
    cls = validators.extend(base, validators={"deprecated": _deprecated, "oneOf": _one_of,
                                              "anyOf": _any_of}, type_checker=strings)
    checker = FormatChecker()
    if "uri" not in checker.checkers:  # cloud-init's Debian package has rfc3987 for this
        checker.checks("uri")(lambda value: not isinstance(value, str) or bool(_URI.match(value)))
    kwargs = {"format_checker": checker}
    if source.directory:
        kwargs["registry"] = _registry(source.directory)
    try:
        cls.check_schema(source.schema)
    except Exception as err:
        raise BootstrapperError(f"{source.name}: not a valid JSON schema: "
                                f"{getattr(err, 'message', err)}") from err
    return cls(source.schema, **kwargs)


def _registry(directory: str):
    """Sibling JSON schemas, so a `$ref` to another file of the same directory resolves."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    resources = []
    for path in sorted(Path(directory).glob("*.json")):
        try:
            contents = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(contents, dict):
            resource = Resource.from_contents(contents, default_specification=DRAFT4)
            for uri in {contents.get("$id"), contents.get("id"), path.name, path.as_uri()}:
                if isinstance(uri, str) and uri:
                    resources.append((uri, resource))
    return Registry().with_resources(resources)


def _deprecated(validator, deprecated, instance, schema):
    if deprecated:
        note = schema.get("description", "")
        yield _deprecation()(f"deprecated{': ' + note if note else ''}")


def _split(validator, instance, subschema, index):
    found = list(validator.descend(instance, subschema, schema_path=index))
    notes = [e for e in found if isinstance(e, _deprecation())]
    return [e for e in found if not isinstance(e, _deprecation())], notes


def _any_of(validator, any_of, instance, schema):
    from jsonschema import ValidationError

    errors = []
    for index, subschema in enumerate(any_of):
        failed, notes = _split(validator, instance, subschema, index)
        if not failed:
            yield from notes
            return
        errors += failed
    yield ValidationError(f"{instance!r} is not valid under any of the given schemas",
                          context=errors)


def _one_of(validator, one_of, instance, schema):
    from jsonschema import ValidationError

    errors, passed, first_notes = [], 0, []
    for index, subschema in enumerate(one_of):
        failed, notes = _split(validator, instance, subschema, index)
        if failed:
            errors += failed
        else:
            passed += 1
            first_notes = first_notes or notes
    if not passed:
        yield ValidationError(f"{instance!r} is not valid under any of the given schemas",
                              context=errors)
    elif passed > 1:
        yield ValidationError(f"{instance!r} is valid under more than one of the given schemas")
    else:
        yield from first_notes
