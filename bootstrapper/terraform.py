"""The Terraform `external` data source protocol.

stdin: one JSON object whose values are all strings (the data source's `query`; keys are the
render options with `_`). stdout: one JSON object of strings: `user_data` (the text
cloud-init reads), `user_data_base64` (the bytes EC2 takes, gzipped when `gzip` = "true",
then base64: for `aws_launch_template.user_data` or `aws_instance.user_data_base64`),
`sha256` (hex, of those bytes before base64) and `size_bytes` (their length).
Errors: one line on stderr, exit non-zero, nothing on stdout.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import IO

from .errors import EXIT_USAGE, BootstrapperError, ProfileError

_NOT_QUERY_KEYS = {"output": "Terraform reads the result from stdout",
                   "base64": "user_data_base64 is always in the result"}


def result(query: dict) -> dict[str, str]:
    """The data source result for a parsed query (raises BootstrapperError)."""
    from . import profile as profile_mod
    from .build import build

    for key, why in _NOT_QUERY_KEYS.items():
        if key in query:
            raise ProfileError(key, f"is not a query key: {why}")
    prof = profile_mod.from_query(query)
    built = build(prof)
    payload = built.user_data  # gzipped when asked; never base64 here (refused above)
    try:
        text = built.raw.decode("utf-8")
    except UnicodeDecodeError:  # pragma: no cover - rendered text is always UTF-8
        text = ""
    return {
        "user_data": text,
        "user_data_base64": base64.b64encode(payload).decode("ascii"),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "size_bytes": str(len(payload)),
    }


def parse_query(text: str) -> dict:
    if not text.strip():
        raise ProfileError("query", "stdin was empty: Terraform sends the query as one JSON "
                           "object; run this as an `external` data source program")
    try:
        query = json.loads(text)
    except ValueError as err:
        raise ProfileError("query", f"stdin is not valid JSON: {err}") from err
    if not isinstance(query, dict):
        raise ProfileError("query", "must be a JSON object of strings")
    return query


def main(stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    """Run the protocol; return the exit code. Prints nothing to stdout on error."""
    try:
        out = result(parse_query(stdin.read()))
    except BootstrapperError as err:
        stderr.write(f"bootstrapper terraform: error: {err}\n")
        return err.exit_code
    except (UnicodeDecodeError, OSError) as err:
        stderr.write(f"bootstrapper terraform: error: cannot read the query: {err}\n")
        return EXIT_USAGE
    stdout.write(json.dumps(out, sort_keys=True) + "\n")
    stdout.flush()
    return 0
