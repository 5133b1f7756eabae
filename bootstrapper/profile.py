"""The profile schema, the only place options, their allowed values and defaults live.

A profile comes from three sources, merged defaults < YAML file < command line:
`load_file()` reads a YAML profile, `from_mapping()` validates native values (YAML or CLI),
`from_query()` validates a Terraform query (every value a string). The CLI options,
the Terraform keys and the README option table are all derived from `FIELDS`.

The rule book lives here and nowhere else: a `Kind` per option kind says how a value is
checked, parsed from the command line and from a query, shown and whether it repeats
(no other module reads `Field.kind`); `Profile` is generated from `FIELDS`, so a default
is written once; `check()` holds every rule about how options combine, and every command
calls it before anything is rendered.
"""

from __future__ import annotations

import json
import re
import dataclasses
from dataclasses import dataclass, fields as dc_fields
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from .errors import InputError, ProfileError

IMDS_ENDPOINTS = ("http://169.254.169.254", "http://[fd00:ec2::254]")
FORMATS = ("cloud-config", "shell", "mime")
FIREWALLS = ("auto", "iptables", "nftables")
DEFAULT_ENV_FILE = "/run/bootstrapper/credentials.env"
# Fixed, so --format mime output is reproducible; refused if it occurs in any part.
DEFAULT_MIME_BOUNDARY = "==BOOTSTRAPPER-MIME-BOUNDARY=="

_ROLE = re.compile(r"[A-Za-z0-9_+=,.@-]{1,64}")
_USER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")
_INSTANCE_PATH = re.compile(r"/[A-Za-z0-9._@+/-]*")
_UNIT = re.compile(r"[A-Za-z0-9:_.@-]{1,250}")
_VAR_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Field:
    """One option: its profile key, kind, default and the help shown everywhere."""

    name: str
    kind: str  # key of KINDS
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # more accepted profile / query keys
    flag: str | None = None  # CLI flag, when not --name-with-dashes
    bounds: tuple[int, int] = (0, 0)  # for kind "int"
    cli: bool = True

    @property
    def option(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def spec(self) -> Kind:
        """What this field's kind means: its check, parsers, metavar, repetition."""
        return KINDS[self.kind]

    @property
    def decls(self) -> list[str]:
        """The command-line spellings: `--lockdown/--no-lockdown` for an on/off kind."""
        return [f"{self.option}/--no-{self.option[2:]}"] if self.spec.flag else [self.option]


FIELDS: tuple[Field, ...] = (
    Field("format", "choice", "cloud-config", "Output kind.", choices=FORMATS),
    Field("role", "role", None, "IAM role name; discovered from IMDS when absent."),
    Field("app_user", "user", "root", "Owner of the credential files the app reads."),
    Field("env_file", "path", DEFAULT_ENV_FILE,
          "Environment file for the app's first start (default on tmpfs: never on disk)."),
    Field("credential_process_file", "path?", None,
          "Also write JSON in the AWS credential_process format here."),
    Field("aws_config_file", "path?", None,
          "AWS config file for the app user whose profile runs credential_process "
          "(default: next to --credential-process-file)."),
    Field("refresh", "bool", True, "Root-run timer rewrites the files before expiry."),
    Field("service", "unit?", None,
          "The app's systemd unit: ordered after the credentials, started once they exist."),
    Field("lockdown", "bool", False, "Only root (and --allow-user users) may reach IMDS."),
    Field("allow_users", "users", (), "User allowed to reach IMDS besides root (repeatable).",
          aliases=("allow_user",), flag="--allow-user"),
    Field("firewall", "choice", "auto",
          "Lockdown backend: auto uses nftables where nft exists, else iptables.",
          choices=FIREWALLS),
    Field("allow_forwarded_imds", "bool", False,
          "Lockdown: let forwarded traffic (containers behind the host) reach IMDS; "
          "by default it is rejected."),
    Field("imds_endpoint", "endpoint", IMDS_ENDPOINTS[0], "IMDS base URL (IPv4 or IPv6)."),
    Field("token_ttl", "int", 21600, "IMDSv2 session token lifetime in seconds.",
          bounds=(1, 21600)),
    Field("deadline", "int", 60,
          "Seconds the boot-time fetch may take in all before it fails.", bounds=(1, 3600)),
    Field("role_wait", "int", 10,
          "Seconds to keep retrying while IMDS says no role is attached (early boot).",
          bounds=(0, 600)),
    Field("install_missing", "bool", False,
          "cloud-config only: add `packages:` for the tools the chosen features need."),
    Field("parts", "strings", (), "Extra MIME part FILE[:content-type] (repeatable).",
          aliases=("part",), flag="--part"),
    Field("gzip", "bool", False, "gzip the final user-data (cloud-init decompresses it)."),
    Field("base64", "bool", False, "base64-encode the final user-data."),
    Field("output", "localpath?", None, "Write to this file instead of stdout."),
    Field("template", "localpath?", None, "Render this Jinja template instead of the built-in."),
    Field("template_dir", "localpath?", None, "Your templates, searched before the built-ins."),
    Field("vars", "vars", {}, "KEY=VALUE your templates read as vars.KEY (repeatable).",
          aliases=("var",), flag="--var"),
    Field("allow_custom_endpoint", "bool", False,
          "Accept any --imds-endpoint URL (tests only).", cli=True),
    Field("mime_boundary", "boundary", DEFAULT_MIME_BOUNDARY,
          "--format mime: the multipart boundary (refused if it occurs in a part)."),
    # launch-template only (they describe the instance, not its user-data): not render
    # options, not Terraform query keys; launch-template adds them as its own options.
    Field("hop_limit", "int", 1,
          "launch-template: HttpPutResponseHopLimit. 1 keeps IMDS tokens on the host; 2 lets "
          "containers on a bridge network get one (refused with --lockdown).",
          bounds=(1, 64), cli=False),
    Field("iam_instance_profile", "instance_profile?", None,
          "launch-template: the instance profile (name or ARN) that carries the role.",
          cli=False),
)
FIELD_BY_KEY: dict[str, Field] = {f.name: f for f in FIELDS} | {
    alias: f for f in FIELDS for alias in f.aliases
}


class _ProfileMethods:
    """What a Profile does besides holding values (its fields come from `FIELDS`)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-able values (templates read these as `profile.*`)."""
        out = {f.name: getattr(self, f.name) for f in dc_fields(self)}
        out["allow_users"] = list(self.allow_users)
        out["parts"] = list(self.parts)
        out["vars"] = dict(sorted(self.vars.items()))
        return out

    @property
    def effective_aws_config_file(self) -> str | None:
        if self.aws_config_file or not self.credential_process_file:
            return self.aws_config_file
        return str(Path(self.credential_process_file).parent / "aws-config")


def _dataclass_field(f: Field) -> tuple[str, Any, Any]:
    if isinstance(f.default, dict):  # mutable: each Profile gets its own copy
        return f.name, Any, dataclasses.field(default_factory=lambda: dict(f.default))
    return f.name, Any, dataclasses.field(default=f.default)


# A validated, immutable set of render options: one attribute per field of `FIELDS`, whose
# defaults are the only ones (nothing restates them).
Profile = dataclasses.make_dataclass(
    "Profile", [_dataclass_field(f) for f in FIELDS], bases=(_ProfileMethods,), frozen=True,
    namespace={"__module__": __name__,
               "__doc__": "A validated, immutable set of render options."})


# --- checks: each takes (field, value) and returns the normalised value ----------------


def _bad(f: Field, value: Any, why: str) -> ProfileError:
    return ProfileError(f.name, f"{why} (got {shown(value)})")


SHOWN_MAX = 60  # a value echoed in a message is cut to this many characters


def shown(value: Any) -> str:
    """A value as a message shows it: cut when long, in the user's words (YAML), never a
    Python repr such as datetime.date(2024, 1, 1)."""
    import datetime

    if isinstance(value, (datetime.date, datetime.time)):
        return f"{value.isoformat()}, which YAML reads as a date: quote it to make it a string"
    if isinstance(value, str):
        return repr(value) if len(value) <= SHOWN_MAX else \
            f"{value[:SHOWN_MAX - 20]!r}... ({len(value)} characters)"
    text = json.dumps(value, default=str) if isinstance(value, (list, tuple, dict, bool)) \
        or value is None else str(value)
    kind = {bool: "a boolean", int: "a number", float: "a number", list: "a list",
            tuple: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)
    text = text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX - 20] + "..."
    return f"{text}, {kind}"


def _check_str(f: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise _bad(f, value, "must be a string")
    return value


def _check_choice(f: Field, value: Any) -> str:
    value = _check_str(f, value)
    if value not in f.choices:
        raise _bad(f, value, "must be one of " + ", ".join(f.choices) + _suggest(value, f.choices))
    return value


def _matching(pattern: re.Pattern, why: str) -> Callable[[Field, Any], str]:
    """A check that the whole string matches `pattern`; `why` says what it must be."""
    def check(f: Field, value: Any) -> str:
        value = _check_str(f, value)
        if not pattern.fullmatch(value):
            raise _bad(f, value, why)
        return value
    return check


_check_user = _matching(_USER, "must be a user name: a letter or _ then up to 31 of "
                               "letters, digits and _.-")


def _check_users(f: Field, value: Any) -> tuple[str, ...]:
    items = _as_list(f, value)
    return tuple(dict.fromkeys(_check_user(f, v) for v in items))


# Directories another user can write to at boot: whoever writes an ancestor of a credential
# file can swap what is below it (the helper also refuses them on the instance, at each write).
_USER_WRITABLE = ("/home", "/tmp", "/var/tmp", "/dev/shm")


def _check_path(f: Field, value: Any) -> str:
    value = _check_str(f, value)
    if not _INSTANCE_PATH.fullmatch(value) or value.endswith("/") or value == "/":
        raise _bad(f, value, "must be an absolute file path of letters, digits and ._@+-/ "
                   "(no spaces, quotes or newlines)")
    parts = value.split("/")
    if ".." in parts or "." in parts or "//" in value:
        raise _bad(f, value, "must not contain '.' or '..' components or '//'")
    for top in _USER_WRITABLE:
        if value.startswith(top + "/"):
            raise _bad(f, value, f"must not be under {top}, where users other than root "
                       "can write (they could plant or swap the file); use a root-owned "
                       "directory such as /run/bootstrapper or /etc/myapp")
    return value


def _check_optional(check: Callable[[Field, Any], Any]) -> Callable[[Field, Any], Any]:
    def optional(f: Field, value: Any) -> Any:
        return None if value is None or value == "" else check(f, value)
    return optional


def _check_localpath(f: Field, value: Any) -> str:
    value = _check_str(f, value)
    if "\x00" in value or "\n" in value:
        raise _bad(f, value, "must be a file name without NUL or newline")
    return value


def _check_unit(f: Field, value: Any) -> str:
    value = _check_str(f, value)
    if "." not in value:
        value += ".service"
    if not _UNIT.fullmatch(value) or not value.endswith(".service") or value.startswith("-"):
        raise _bad(f, value, "must be a systemd service name like myapp or myapp.service "
                   "(not starting with '-')")
    return value


def _check_endpoint(f: Field, value: Any) -> str:
    value = _check_str(f, value).rstrip("/")
    if value in IMDS_ENDPOINTS:
        return value
    if re.fullmatch(r"http://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?", value):
        return value  # only accepted with allow_custom_endpoint, see the custom-endpoint rule
    raise _bad(f, value, "must be " + " or ".join(IMDS_ENDPOINTS))


def _check_bool(f: Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _bad(f, value, "must be true or false")


def _check_int(f: Field, value: Any) -> int:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(f, value, "must be a whole number")
    low, high = f.bounds
    if not low <= value <= high:
        raise _bad(f, value, f"must be between {low} and {high}")
    return value


def _check_strings(f: Field, value: Any) -> tuple[str, ...]:
    return tuple(_check_localpath(f, v) for v in _as_list(f, value))


def _check_vars(f: Field, value: Any) -> dict[str, str]:
    if isinstance(value, (list, tuple)):  # KEY=VALUE items from the command line
        pairs = {}
        for item in value:
            key, sep, val = _check_str(f, item).partition("=")
            if not sep:
                raise _bad(f, item, "must be KEY=VALUE")
            pairs[key] = val
        value = pairs
    if not isinstance(value, dict):
        raise _bad(f, value, "must be a mapping of names to strings")
    out = {}
    for key, val in value.items():
        if not isinstance(key, str) or not _VAR_KEY.fullmatch(key):
            raise ProfileError(f"{f.name}.{key}", "a variable name must be letters, digits "
                               "and _, not starting with a digit")
        if isinstance(val, bool) or not isinstance(val, (str, int, float)):
            raise ProfileError(f"{f.name}.{key}", f"must be a string (got {shown(val)})")
        if "\x00" in str(val):
            raise ProfileError(f"{f.name}.{key}", "must not contain a NUL byte: no shell word "
                               "or file can carry one")
        out[key] = str(val)
    return out


def _as_list(f: Field, value: Any) -> list:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise _bad(f, value, "must be a string or a list of strings")


_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,./:=?-]{1,70}")  # RFC 2046 bchars, less space
_INSTANCE_PROFILE = re.compile(
    r"[A-Za-z0-9_+=,.@-]{1,128}"
    r"|arn:aws[a-z-]*:iam::[0-9]{12}:instance-profile/[A-Za-z0-9_+=,.@/-]+")


_check_boundary = _matching(_BOUNDARY, "must be 1-70 of letters, digits and '()+_,-./:=? "
                                       "(RFC 2046)")
_check_instance_profile = _matching(
    _INSTANCE_PROFILE, "must be an instance profile name (letters, digits and _+=,.@-) "
    "or its ARN (arn:aws:iam::123456789012:instance-profile/NAME)")


def _arg_int(text: str) -> int:
    """A number on the command line; ValueError leaves it to the canonical parser's message."""
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


@dataclass(frozen=True, eq=False, repr=False)  # compared and shown by no one
class Kind:
    """One kind of option, everything the commands need to know about it."""

    check: Callable[[Field, Any], Any]  # (field, native value) → the normalised value
    cli_type: Any = Optional[str]  # the typer annotation of its command-line option
    from_arg: Callable[[str], Any] = str  # the fast path's parser (ValueError: decline)
    query: Callable[[str, str], Any] | None = None  # (key, query string) → native value
    metavar: str | None = None
    repeats: bool = False  # the option may be given several times (a list)
    flag: bool = False  # on/off: `--name/--no-name`, no value


_LIST = Optional[list[str]]
KINDS: dict[str, Kind] = {
    "choice": Kind(_check_choice),
    "role": Kind(_check_optional(_matching(
        _ROLE, "must be an IAM role name: 1-64 of letters, digits and _+=,.@-"))),
    "user": Kind(_check_user),
    "users": Kind(_check_users, _LIST, query=lambda k, v: _decode_list(k, v), metavar="USER",
                  repeats=True),
    "path": Kind(_check_path),
    "path?": Kind(_check_optional(_check_path)),
    "unit?": Kind(_check_optional(_check_unit)),
    "endpoint": Kind(_check_endpoint),
    "bool": Kind(_check_bool, Optional[bool], flag=True),
    "int": Kind(_check_int, Optional[int], _arg_int, metavar="N"),
    "strings": Kind(_check_strings, _LIST, query=lambda k, v: _decode_list(k, v),
                    metavar="FILE[:TYPE]", repeats=True),
    "localpath?": Kind(_check_optional(_check_localpath)),
    "vars": Kind(_check_vars, _LIST, query=lambda k, v: _decode_vars(v), metavar="KEY=VALUE",
                 repeats=True),
    "boundary": Kind(_check_boundary),
    "instance_profile?": Kind(_check_optional(_check_instance_profile)),
}


def _suggest(key: str, options) -> str:
    import difflib  # lazy: only on an error
    close = difflib.get_close_matches(key, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


# --- building a Profile ----------------------------------------------------------------


def from_mapping(data: dict[str, Any], *, base: Profile | None = None,
                 source: str = "profile", finish: bool = True) -> Profile:
    """Validate `data` (profile keys → native values) over `base` (defaults when None).

    finish=False checks each value but not how they combine: for a layer that a later one
    (the command line over a file) may still complete.
    """
    if not isinstance(data, dict):
        raise ProfileError(source, "must be a mapping of option names to values")
    values = {} if base is None else {f.name: getattr(base, f.name) for f in dc_fields(base)}
    _refuse_two_spellings(data)
    for key, value in data.items():
        f = FIELD_BY_KEY.get(key) if isinstance(key, str) else None
        if f is None:
            raise ProfileError(str(key), "unknown option" + _suggest(str(key), FIELD_BY_KEY)
                               + " (see `bootstrapper render --help`)")
        if value is None and f.default is not None:
            continue  # an explicit null keeps the default
        values[f.name] = f.spec.check(f, value)
    return check(Profile(**values)) if finish else Profile(**values)


def _refuse_two_spellings(data: dict[str, Any]) -> None:
    """`allow_user: [a]` beside `allow_users: [b]` is one option given twice: refuse it
    rather than keep one silently."""
    seen: dict[str, str] = {}
    for key in data:
        f = FIELD_BY_KEY.get(key) if isinstance(key, str) else None
        if f is None:
            continue
        if f.name in seen:
            raise ProfileError(key, f"is the same option as {seen[f.name]!r}, given twice: "
                               f"keep one of them")
        seen[f.name] = key


def key_line(path: str | Path, key: str) -> int | None:
    """1-based line of top-level `key` in the YAML file at `path` (None if not found)."""
    import yaml

    try:
        node = yaml.compose(_read_text(path), Loader=yaml.SafeLoader)
    except (OSError, InputError, UnicodeDecodeError, yaml.YAMLError):
        return None
    for k, _ in node.value if isinstance(node, yaml.MappingNode) else ():
        if k.value == key:
            return k.start_mark.line + 1
    return None


def from_query(query: dict[str, Any]) -> Profile:
    """Validate a Terraform `external` query: every value is a string."""
    data: dict[str, Any] = {}
    for key, value in query.items():
        if not isinstance(value, str):
            raise ProfileError(str(key), f"every query value must be a string, as Terraform "
                               f"sends them (got {type(value).__name__})")
        f = FIELD_BY_KEY.get(key)
        data[key] = f.spec.query(key, value) if f is not None and f.spec.query else value
    keys = {FIELD_BY_KEY[k].name: k for k in data if k in FIELD_BY_KEY}
    allowed = {k: v for k, v in data.items()  # the others: check() says why not
               if getattr(FIELD_BY_KEY.get(k), "name", None) not in NOT_QUERY_KEYS}
    return check(from_mapping(allowed, source="query", finish=False),
                 Origin("terraform", keys=keys))


def _decode_list(key: str, text: str) -> list[str]:
    """A list in a query: comma-separated, or a JSON list as jsonencode() writes it (needed
    when an item holds a comma, as a MIME merge type does)."""
    if not text.lstrip().startswith("["):
        return [item.strip() for item in text.split(",") if item.strip()]
    try:
        items = json.loads(text)
    except ValueError as err:
        raise ProfileError(key, f"looks like a JSON list but is not one: {err}") from err
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ProfileError(key, "must be a JSON list of strings, as jsonencode() writes it")
    return items


def _decode_vars(text: str) -> dict:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as err:
        raise ProfileError("vars", f"must be a JSON-encoded object, as jsonencode() writes "
                           f"it: {err}") from err
    return value


def load_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML profile file into a mapping (not yet validated)."""
    import yaml  # lazy: keeps `bootstrapper --version` and cache hits fast

    try:
        text = _read_text(path)
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read profile: {_reason(err)}") from err
    loader = yaml.SafeLoader(text)  # parsed once: yaml.compose, then what safe_load builds
    try:
        node = loader.get_single_node()
        _refuse_duplicate_keys(node, path)
        data = None if node is None else loader.construct_document(node)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(f"{where}: profile is not valid YAML: {problem}") from err
    finally:
        loader.dispose()
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: a profile must be a YAML mapping of option: value")
    return data


_STDIN_TEXT: dict[str, str] = {}  # `-` read once: key_line() reads the profile again


def _read_text(path: str | Path) -> str:
    """The profile's text; `-` is standard input, as for lint and inspect."""
    from .inputs import read_capped

    if str(path) != "-":
        return read_capped(str(path), "profile").decode("utf-8")
    if "-" not in _STDIN_TEXT:
        import sys

        _STDIN_TEXT["-"] = read_capped("-", "profile", sys.stdin.buffer).decode("utf-8")
    return _STDIN_TEXT["-"]


def _refuse_duplicate_keys(node: Any, path: str | Path, within: str = "") -> None:
    """YAML keeps the last of two equal keys; the Terraform query refuses them, so does a
    profile (at any depth: `vars` too)."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value in seen:
                raise InputError(f"{path}:{key.start_mark.line + 1}: {within}{key.value}: given "
                                 "twice in the profile; keep one")
            seen.add(getattr(key, "value", None))
            _refuse_duplicate_keys(value, path, f"{within}{getattr(key, 'value', '?')}.")
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_duplicate_keys(item, path, within)


def _reason(err: Exception) -> str:
    return getattr(err, "strerror", None) or str(err)


# --- the rule book: how options combine -------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)  # compared and shown by no one
class Origin:
    """Which command runs and where each option came from, so that a rule's error names the
    option as the user wrote it: the flag (`--allow-user`), the profile key with its file
    and line (`p.yaml:2: allow_users`) or the query key (`allow_users`)."""

    command: str = "render"  # render, launch-template or terraform
    flags: frozenset[str] = frozenset()  # field names given as command-line options
    keys: Mapping[str, str] = dataclasses.field(default_factory=dict)  # name → key as written
    path: str | None = None  # the profile file `keys` came from

    def error(self, name: str, message: str) -> ProfileError:
        if name in self.flags:
            return ProfileError(FIELD_BY_KEY[name].option, message)
        key = self.keys.get(name, name)
        if self.path and name in self.keys:  # the profile's words but for options given
            line = key_line(self.path, key)
            return ProfileError(key, reword(message, "{name}: {value}", self.flags),
                                f"{self.path}:{line}" if line else self.path)
        return ProfileError(key, message)


def reword(message: str, setting: str, keep: frozenset[str] = frozenset()) -> str:
    """`message` with the command-line flags of options (but those in `keep`) replaced by
    the words of a profile or a query: `setting` is how a value is set there, e.g.
    '{name}: {value}' turns `add --lockdown` into `add lockdown: true`, `--format mime`
    into `format: mime` and `--allow-user` into `allow_users`."""
    for f in sorted(FIELDS, key=lambda f: -len(f.option)):
        if f.name in keep:
            continue
        flag = re.escape(f.option[2:])
        if f.spec.flag:
            for prefix, value in (("--no-", "false"), ("--", "true")):
                message = re.sub(rf"{prefix}{flag}\b(?!-)",
                                 setting.format(name=f.name, value=value), message)
        elif f.choices:
            choices = "|".join(map(re.escape, f.choices))
            message = re.sub(rf"--{flag} ({choices})\b", lambda m, f=f: setting.format(
                name=f.name, value=m.group(1)), message)
        message = re.sub(rf"--{flag}\b(?![-=])", f.name, message)
    return message


ALL_COMMANDS = ("render", "launch-template", "terraform")


@dataclass(frozen=True, eq=False, repr=False)  # compared and shown by no one
class Rule:
    """One rule about options together: `broken(profile)` says why it is broken, or None.
    The error names `field`, the option a user changes to satisfy it."""

    id: str
    field: str
    broken: Callable[[Any], str | None]
    commands: tuple[str, ...] = ALL_COMMANDS


# Options a Terraform query refuses, and why (the options table shows them as "—").
NOT_QUERY_KEYS = {
    "output": "Terraform reads the result from stdout",
    "allow_custom_endpoint": "it is for tests; a data source renders for real instances",
    "base64": "user_data_base64 is always in the result; base64-encoding user_data too "
              "would hand cloud-init base64 text",
    "hop_limit": "it belongs to the launch template: set metadata_options "
                 "{ http_put_response_hop_limit } in aws_launch_template",
    "iam_instance_profile": "it belongs to the launch template: set iam_instance_profile "
                            "in aws_launch_template",
}


def _custom_endpoint(p: Profile) -> str | None:
    if p.imds_endpoint in IMDS_ENDPOINTS or p.allow_custom_endpoint:
        return None
    return (f"must be {' or '.join(IMDS_ENDPOINTS)} (got {shown(p.imds_endpoint)}); "
            "--allow-custom-endpoint is for tests")


def _same_files(p: Profile) -> str | None:
    files = [f for f in (p.env_file, p.credential_process_file, p.effective_aws_config_file)
             if f]
    if len(set(files)) == len(files):
        return None
    return "env_file, credential_process_file and aws_config_file must be different files"


def _part_specs(p: Profile) -> str | None:
    """Each --part spec parsed now, not when the parts are read after rendering."""
    if not p.parts or p.format != "mime":
        return None
    from .mime import parse_spec  # lazy: only with parts

    for spec in p.parts:
        try:
            parse_spec(spec)
        except ProfileError as err:
            return err.message
    return None


def _hop_limit(p: Profile) -> str | None:
    if p.hop_limit > 1 and p.lockdown and not p.allow_forwarded_imds:
        return (f"{p.hop_limit} is for containers on a bridge network to reach IMDS, and "
                "--lockdown rejects their forwarded traffic; keep --hop-limit 1, or add "
                "--allow-forwarded-imds")
    return None


RULES: tuple[Rule, ...] = (
    Rule("custom-endpoint", "imds_endpoint", _custom_endpoint),
    Rule("allow-users-need-lockdown", "allow_users", lambda p: None if not p.allow_users
         or p.lockdown else "only means something with lockdown: add --lockdown or drop "
         "--allow-user"),
    Rule("allow-forwarded-imds-needs-lockdown", "allow_forwarded_imds", lambda p: None
         if not p.allow_forwarded_imds or p.lockdown else "only means something with "
         "lockdown: add --lockdown or drop --allow-forwarded-imds"),
    Rule("aws-config-needs-credential-process", "aws_config_file", lambda p: None
         if not p.aws_config_file or p.credential_process_file else "only means something "
         "with credential_process_file (its profile runs that file's reader)"),
    Rule("root-is-always-allowed", "allow_users", lambda p: "root can always reach IMDS; "
         "drop it from the list" if "root" in p.allow_users else None),
    Rule("different-files", "env_file", _same_files),
    Rule("install-missing-needs-cloud-config", "install_missing", lambda p: "needs "
         "cloud-config (packages:); a shell script cannot install packages portably"
         if p.install_missing and p.format == "shell" else None),
    Rule("parts-need-mime", "parts", lambda p: f"need --format mime: a {p.format} user-data "
         "is one document and cannot carry other parts" if p.parts and p.format != "mime"
         else None),
    Rule("part-spec", "parts", _part_specs),
    Rule("launch-template-encodes-once", "base64", lambda p: "launch-template always "
         "base64-encodes UserData (the API takes base64 there); --base64 would encode it "
         "twice and cloud-init would see base64 text, not user-data. Drop --base64"
         if p.base64 else None, commands=("launch-template",)),
    Rule("hop-limit-with-lockdown", "hop_limit", _hop_limit, commands=("launch-template",)),
)


def check(p: Profile, origin: Origin | None = None) -> Profile:
    """Every rule about how options combine, for `origin.command`; the first broken one
    raises a ProfileError (exit 2) naming the option in the words of that command.
    Every command calls this once its options are merged, before anything is rendered."""
    origin = origin or Origin()
    if origin.command == "terraform":
        for name, why in NOT_QUERY_KEYS.items():
            if name in origin.keys:
                raise origin.error(name, f"is not a query key: {why}")
    for rule in RULES:
        if origin.command in rule.commands:
            message = rule.broken(p)
            if message:
                raise origin.error(rule.field, message)
    return p
