"""The profile schema, the only place options, their allowed values and defaults live.

A profile comes from three sources, merged defaults < YAML file < command line:
`load_file()` reads a YAML profile, `from_mapping()` validates native values (YAML or CLI),
`from_query()` validates a Terraform query (every value a string). The CLI options,
the Terraform keys and the README option table are all derived from `FIELDS`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields as dc_fields
from pathlib import Path
from typing import Any, Callable

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
    kind: str  # key of _CHECKS
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


@dataclass(frozen=True)
class Profile:
    """A validated, immutable set of render options."""

    format: str = "cloud-config"
    role: str | None = None
    app_user: str = "root"
    env_file: str = DEFAULT_ENV_FILE
    credential_process_file: str | None = None
    aws_config_file: str | None = None
    refresh: bool = True
    service: str | None = None
    lockdown: bool = False
    allow_users: tuple[str, ...] = ()
    firewall: str = "auto"
    allow_forwarded_imds: bool = False
    imds_endpoint: str = IMDS_ENDPOINTS[0]
    token_ttl: int = 21600
    deadline: int = 60
    role_wait: int = 10
    install_missing: bool = False
    parts: tuple[str, ...] = ()
    gzip: bool = False
    base64: bool = False
    output: str | None = None
    template: str | None = None
    template_dir: str | None = None
    vars: dict[str, str] = field(default_factory=dict)
    allow_custom_endpoint: bool = False
    mime_boundary: str = DEFAULT_MIME_BOUNDARY
    hop_limit: int = 1
    iam_instance_profile: str | None = None

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
        return value  # only accepted with allow_custom_endpoint, checked in _finish
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


_CHECKS: dict[str, Callable[[Field, Any], Any]] = {
    "choice": _check_choice,
    "role": _check_optional(_matching(
        _ROLE, "must be an IAM role name: 1-64 of letters, digits and _+=,.@-")),
    "user": _check_user,
    "users": _check_users,
    "path": _check_path,
    "path?": _check_optional(_check_path),
    "unit?": _check_optional(_check_unit),
    "endpoint": _check_endpoint,
    "bool": _check_bool,
    "int": _check_int,
    "strings": _check_strings,
    "localpath?": _check_optional(_check_localpath),
    "vars": _check_vars,
    "boundary": _check_boundary,
    "instance_profile?": _check_optional(_check_instance_profile),
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
        values[f.name] = _CHECKS[f.kind](f, value)
    return _finish(Profile(**values)) if finish else Profile(**values)


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
        if f is not None and f.kind in ("users", "strings"):
            data[key] = _decode_list(key, value)
        elif f is not None and f.kind == "vars":
            data[key] = _decode_vars(value)
        else:
            data[key] = value
    return from_mapping(data, source="query")


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
    try:
        _refuse_duplicate_keys(yaml.compose(text, Loader=yaml.SafeLoader), path)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(f"{where}: profile is not valid YAML: {problem}") from err
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


def _finish(p: Profile) -> Profile:
    """Cross-field rules."""
    if p.imds_endpoint not in IMDS_ENDPOINTS and not p.allow_custom_endpoint:
        raise ProfileError("imds_endpoint", f"must be {' or '.join(IMDS_ENDPOINTS)} "
                           f"(got {shown(p.imds_endpoint)}); --allow-custom-endpoint is for "
                           "tests")
    if p.allow_users and not p.lockdown:
        raise ProfileError("allow_users", "only means something with lockdown: add "
                           "--lockdown or drop --allow-user")
    if p.allow_forwarded_imds and not p.lockdown:
        raise ProfileError("allow_forwarded_imds", "only means something with lockdown: "
                           "add --lockdown or drop --allow-forwarded-imds")
    if p.aws_config_file and not p.credential_process_file:
        raise ProfileError("aws_config_file", "only means something with "
                           "credential_process_file (its profile runs that file's reader)")
    if "root" in p.allow_users:
        raise ProfileError("allow_users", "root can always reach IMDS; drop it from the list")
    files = [p.env_file, p.credential_process_file, p.effective_aws_config_file]
    files = [f for f in files if f]
    if len(set(files)) != len(files):
        raise ProfileError("env_file", "env_file, credential_process_file and "
                           "aws_config_file must be different files")
    if p.install_missing and p.format == "shell":
        raise ProfileError("install_missing", "needs cloud-config (packages:); a shell "
                           "script cannot install packages portably")
    return p
