"""Final encodings of user-data: gzip (reproducible), base64, and EC2's 16 KB budget."""

from __future__ import annotations

import base64 as b64
import gzip as gz
from dataclasses import dataclass

from .errors import RefusedError

EC2_LIMIT = 16384  # bytes of raw user-data, before the base64 the EC2 API adds


@dataclass(frozen=True)
class Sizes:
    raw: int
    gzip: int
    base64: int


def gzip_bytes(data: bytes) -> bytes:
    """gzip with mtime 0 and no file name: the same input always gives the same bytes."""
    return gz.compress(data, compresslevel=9, mtime=0)


def sizes(data: bytes) -> Sizes:
    zipped = gzip_bytes(data)
    return Sizes(raw=len(data), gzip=len(zipped), base64=len(b64.b64encode(data)))


def finish(data: bytes, *, gzip: bool = False, base64: bool = False) -> bytes:
    """Apply the encodings, refusing user-data that EC2 would reject for its size."""
    payload = gzip_bytes(data) if gzip else data
    if len(payload) > EC2_LIMIT:
        s = sizes(data)
        hint = (f"; with --gzip it is {s.gzip} bytes and fits" if not gzip and s.gzip <= EC2_LIMIT
                else "; move large content out of user-data (fetch it at boot from S3)")
        raise RefusedError(f"size-limit: user-data is {len(payload)} bytes"
                           f"{' gzipped' if gzip else ''}, over EC2's {EC2_LIMIT}-byte limit "
                           f"(raw {s.raw}, gzip {s.gzip}){hint}")
    return b64.b64encode(payload) + b"\n" if base64 else payload
