"""Reading a user's input file with one size cap for every command.

Anything past MAX_INPUT cannot be EC2 user-data (16,384 bytes, even gzipped far less than
this), nor a profile, template or part of one; reading stops there, so `/dev/zero` or a
runaway pipe is refused at once instead of filling memory.
"""

from __future__ import annotations

from typing import BinaryIO

from .errors import InputError

MAX_INPUT = 4 * 1024 * 1024  # the same cap lint uses (lint/engine.py MAX_READ)


def read_capped(path: str, what: str, stdin: BinaryIO | None = None) -> bytes:
    """The bytes of `path` (`-`: `stdin`), at most MAX_INPUT; InputError (exit 2) naming
    the file and `what` it was meant to be when unreadable or too big."""
    try:
        if path == "-" and stdin is not None:
            content = stdin.read(MAX_INPUT + 1)
        else:
            with open(path, "rb") as handle:
                content = handle.read(MAX_INPUT + 1)
    except OSError as err:
        raise InputError(f"{path}: cannot read {what}: {err.strerror or err}") from err
    if len(content) > MAX_INPUT:
        raise InputError(f"{path}: {what} is over {MAX_INPUT // (1024 * 1024)} MB, far past "
                         "anything EC2 user-data can hold; is it the right file?")
    return content
