"""Every bound on reading user-data, defined once (lint, inspect and render share them).

One size bound (SIZE_CAP) holds for the input read and for everything inflated from it,
across all layers together: a gzip bomb, nested gzip, or a `gz+b64` write_files entry
stops there, so peak memory stays a small multiple of SIZE_CAP.
"""

from __future__ import annotations

EC2_LIMIT = 16384  # bytes of raw user-data EC2 accepts (before the API's base64)
SIZE_CAP = 256 * 1024  # 16x EC2's limit: nothing bigger is user-data, read or inflated
MAX_DEPTH = 8  # layers (base64, gzip, MIME, Jinja) nested inside one another
MAX_NODES = 20000  # YAML nodes after expanding aliases ("billion laughs" stops here)
MAX_SCRIPT = 64 * 1024  # bytes of one script handed to shellcheck (its time grows faster)
# One shellcheck process may run SHELLCHECK_SECONDS plus a second per SHELLCHECK_RATE bytes
# of its scripts (ours take ~0.1 s per 14 KB; 24 KB of distinct unset variables takes
# shellcheck 30 s); past that its scripts are reported as not checked.
SHELLCHECK_SECONDS = 10  # generous: a loaded CI runner must not fail a render
SHELLCHECK_RATE = 8 * 1024
