"""Every bound on reading user-data, defined once (lint, inspect and render share them).

One size bound (SIZE_CAP) holds for the input read and for everything inflated from it,
across all layers together: a gzip bomb, nested gzip, or a `gz+b64` write_files entry
stops there, so peak memory stays a small multiple of SIZE_CAP.
"""

from __future__ import annotations

EC2_LIMIT = 16384  # bytes of raw user-data EC2 accepts (before the API's base64)
SIZE_CAP = 1 << 20  # 64x EC2's limit: nothing bigger is user-data, read or inflated
MAX_DEPTH = 8  # layers (base64, gzip, MIME, Jinja) nested inside one another
MAX_NODES = 20000  # YAML nodes after expanding aliases ("billion laughs" stops here)
