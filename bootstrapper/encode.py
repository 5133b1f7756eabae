"""Final encodings of user-data: gzip (reproducible), base64, and EC2's 16 KB budget.

EC2 counts the bytes it hands the instance: the user-data after the API's base64 is
decoded, so gzipped user-data counts gzipped. cloud-init undoes gzip itself; nobody on the
instance undoes a second base64, which is why encoding twice is refused wherever we can see it.
"""

from __future__ import annotations

import base64 as b64
import binascii
import re
import zlib
from dataclasses import dataclass

from .errors import RefusedError
from .userdata.limits import EC2_LIMIT, SIZE_CAP
from .userdata.types import GZIP_MAGIC, STARTS

# First bytes of the kinds of user-data cloud-init recognises (lower case), and MIME.
_USER_DATA_STARTS = tuple(s.encode() for s in STARTS) + (b"content-type:", b"mime-version:")
_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/]+={0,2}")


@dataclass(frozen=True)
class Sizes:
    raw: int
    gzip: int
    base64: int


@dataclass(frozen=True)
class Budget:
    """The sizes a user weighs against EC2's limit, for one user-data."""

    raw: int  # what cloud-init reads (uncompressed)
    gzip: int  # gzip of it (mtime 0, level 9): what --gzip gives
    base64: int  # base64 of what is sent: what the API request carries
    sent: int  # what EC2 counts against EC2_LIMIT: raw, or gzip when gzipped
    gzipped: bool
    limit: int = EC2_LIMIT

    @property
    def fits(self) -> bool:
        return self.sent <= self.limit

    def describe(self) -> str:
        counted = "gzip" if self.gzipped else "raw"
        verdict = (f"fits ({self.limit - self.sent} bytes to spare)" if self.fits
                   else f"over by {self.sent - self.limit} bytes")
        return (f"raw {self.raw} bytes, gzip {self.gzip}, base64 {self.base64}; EC2 counts "
                f"the {counted} {self.sent} of its {self.limit}-byte limit: {verdict}")

    def as_dict(self) -> dict[str, int | bool]:
        return {"raw": self.raw, "gzip": self.gzip, "base64": self.base64,
                "sent": self.sent, "gzipped": self.gzipped, "limit": self.limit,
                "fits": self.fits}


def gzip_bytes(data: bytes) -> bytes:
    """gzip with mtime 0 and no file name: the same input always gives the same bytes."""
    import gzip as gz  # lazy: most renders are not gzipped (cold start matters)

    return gz.compress(data, compresslevel=9, mtime=0)


def base64_len(n: int) -> int:
    return 4 * ((n + 2) // 3)


def sizes(data: bytes) -> Sizes:
    zipped = gzip_bytes(data)
    return Sizes(raw=len(data), gzip=len(zipped), base64=len(b64.b64encode(data)))


def budget(raw: bytes, *, gzipped: bytes | None = None) -> Budget:
    """The budget of `raw` user-data, sent as is, or as `gzipped` when given."""
    zipped = gzipped if gzipped is not None else gzip_bytes(raw)
    sent = len(zipped) if gzipped is not None else len(raw)
    return Budget(raw=len(raw), gzip=len(zipped), base64=base64_len(sent), sent=sent,
                  gzipped=gzipped is not None)


def check_budget(b: Budget) -> None:
    """Refuse (exit 1) user-data EC2 would reject, with the numbers and what would fit."""
    if b.fits:
        return
    if not b.gzipped and b.gzip <= b.limit:
        hint = f"add --gzip: it makes it {b.gzip} bytes, which fits"
    else:
        hint = ("even gzipped it does not fit: move large content out of user-data "
                "(fetch it at boot, e.g. from S3)")
    size = f"{b.sent} bytes gzipped" if b.gzipped else f"{b.sent} bytes"
    raise RefusedError(f"size-limit: user-data is {size}, over EC2's {b.limit}-byte limit "
                       f"by {b.sent - b.limit} (raw {b.raw}, gzip {b.gzip}, base64 "
                       f"{b.base64}); {hint}")


def finish(data: bytes, *, gzip: bool = False, base64: bool = False) -> bytes:
    """Apply the encodings, refusing user-data that EC2 would reject for its size."""
    zipped = gzip_bytes(data) if gzip else None
    payload = zipped if zipped is not None else data
    if len(payload) > EC2_LIMIT:  # the full budget (another gzip) only when refusing
        check_budget(budget(data, gzipped=zipped))
    return b64.b64encode(payload) + b"\n" if base64 else payload


# --- recognising data that is already encoded -------------------------------------------


def is_user_data_start(data: bytes) -> bool:
    head = data[:64].lstrip().lower()
    return any(head.startswith(start) for start in _USER_DATA_STARTS)


def unbase64(data: bytes) -> bytes | None:
    """The decoded bytes when `data` is nothing but base64 (line breaks allowed), else None."""
    compact = b"".join(data.split())
    if len(compact) < 4 or len(compact) % 4 or not _BASE64_TEXT.fullmatch(compact):
        return None
    try:
        return b64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None


def gunzip(data: bytes, limit: int = SIZE_CAP) -> bytes:
    """Decompress one gzip member, refusing output over `limit` bytes (a gzip bomb).
    The one inflater: every reader of user-data comes here, with SIZE_CAP or less."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as err:
        raise ValueError(f"not valid gzip data: {err}") from err
    if len(out) > limit:
        raise ValueError(f"decompresses to more than {limit} bytes (the size cap)")
    if not inflater.eof:
        raise ValueError("truncated gzip data")
    return out


def encoded_as(data: bytes) -> str | None:
    """'gzip' or 'base64' when `data` is user-data that is already encoded, else None.

    base64 counts only when it decodes to gzip or to something that starts like user-data,
    so a plain word that happens to be valid base64 is not mistaken for it.
    """
    if data.startswith(GZIP_MAGIC):
        return "gzip"
    decoded = unbase64(data)
    if decoded is not None and (decoded.startswith(GZIP_MAGIC) or is_user_data_start(decoded)
                                or unbase64(decoded) is not None):
        return "base64"
    return None
