"""The Terraform `external` data source protocol.

Terraform runs the program without a shell, in the data source's working_dir, with its own
environment; it writes the `query` as one JSON object of strings to stdin and closes it.
stdin: that object (keys are the render options with `_`). stdout: one JSON object of
strings: `user_data` (the text cloud-init reads, after any gzip is undone),
`user_data_base64` (the bytes EC2 takes, gzipped when `gzip` = "true", then base64: for
`aws_launch_template.user_data` or `aws_instance.user_data_base64`), `sha256` (hex, of
those bytes before base64) and `size_bytes` (their length: what EC2 counts).
Errors: one line on stderr, exit non-zero, nothing at all on stdout.

The bytes are read and written as UTF-8 / ASCII whatever the locale, and the output JSON
is ASCII with sorted keys, so the same query gives byte-identical output everywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import IO, Any, Callable

from .errors import EXIT_USAGE, BootstrapperError, ProfileError

def result(query: dict[str, str]) -> dict[str, str]:
    """The data source result for a parsed query (raises BootstrapperError)."""
    from . import profile as profile_mod
    from .build import build

    prof = profile_mod.from_query(query)  # the rule book refuses what a query cannot set
    if query.get("format"):
        from .render import check_format_given

        check_format_given(prof)
    built = build(prof)
    return fields(built.raw, built.user_data)  # gzipped when asked; never base64 (refused)


def printed(result: dict[str, str]) -> bytes:
    """The data source's stdout for `result`: ASCII JSON, sorted keys, one line."""
    return (json.dumps(result, sort_keys=True, ensure_ascii=True) + "\n").encode("ascii")


def fields(raw: bytes, payload: bytes) -> dict[str, str]:
    """The result: `raw` is what cloud-init reads, `payload` the bytes EC2 takes."""
    return {
        "user_data": raw.decode("utf-8", "replace"),
        "user_data_base64": base64.b64encode(payload).decode("ascii"),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "size_bytes": str(len(payload)),
    }


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ProfileError(key, "appears twice in the query")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_query(data: bytes | str) -> dict[str, Any]:
    """stdin → the query object; every way it can be wrong is a one-line ProfileError."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ProfileError("query", f"stdin is not UTF-8 (byte {err.start}); Terraform "
                               "sends UTF-8 JSON") from err
    if not data.strip():
        raise ProfileError("query", "stdin was empty: Terraform sends the query as one JSON "
                           "object; run this as an `external` data source program")
    try:
        query = json.loads(data, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except RecursionError as err:
        raise ProfileError("query", "stdin is not a query: JSON nested too deeply") from err
    except ValueError as err:
        raise ProfileError("query", f"stdin is not valid JSON: {err}") from err
    if not isinstance(query, dict):
        raise ProfileError("query", f"must be one JSON object of strings (got "
                           f"{_json_kind(query)})")
    return query


def _json_kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def in_query_words(message: str) -> str:
    """A message that names command-line flags, reworded for a Terraform user, who sets
    query keys: `add --lockdown` → `add lockdown = "true"`, `--allow-user` → `allow_users`,
    `--format mime` → `format = "mime"`, `--var d=V` → `vars = jsonencode({d = V})`."""
    import re

    from .profile import reword

    message = re.sub(r"--var (\w+)=VALUE", r'vars = jsonencode({\1 = "VALUE"})', message)
    message = message.replace("`bootstrapper render --help`", "the query keys in "
                              "`bootstrapper terraform --help`")
    return reword(message, '{name} = "{value}"')


def _one_line(text: str) -> str:
    return " ".join(str(text).split()) or "unknown error"


def main(stdin: IO, stdout: IO, stderr: IO,
         record: Callable[[dict, bytes], None] | None = None) -> int:
    """Run the protocol; return the exit code. Prints nothing to stdout on error.
    `record(query, stdout)` is told what a successful run printed (replay.py)."""
    try:
        if _isatty(stdin):
            raise ProfileError("query", "stdin is a terminal: Terraform writes the query as "
                               "JSON on stdin, e.g. echo '{\"role\": \"app\"}' | "
                               "bootstrapper terraform")
        query = parse_query(getattr(stdin, "buffer", stdin).read())
        out = printed(result(query))
    except BootstrapperError as err:
        return _error(stderr, in_query_words(str(err)), err.exit_code)
    except (OSError, MemoryError) as err:
        return _error(stderr, f"cannot read the query: {err}", EXIT_USAGE)
    except Exception as err:  # noqa: BLE001 - the protocol allows one line, never a traceback
        return _error(stderr, f"internal error, please report it: {type(err).__name__}: "
                      f"{err}", EXIT_USAGE)
    sink = getattr(stdout, "buffer", None)
    if sink is not None:
        sink.write(out)
        sink.flush()
    else:
        stdout.write(out.decode("ascii"))
        stdout.flush()
    if record is not None:
        record(query, out)
    return 0


def _isatty(stream: IO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _error(stderr: IO, message: str, code: int) -> int:
    stderr.write(f"bootstrapper terraform: error: {_one_line(message)}\n")
    stderr.flush()
    return code
