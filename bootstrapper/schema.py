"""The built-in cloud-config schema (schemas/cloud-config.json) and validation against it.

The JSON file is the single contract for which modules and shapes bootstrapper accepts;
`KNOWN_KEYS` (for did-you-mean on unknown keys) is derived from it, not restated.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).parent / "schemas" / "cloud-config.json"


@lru_cache(maxsize=None)
def builtin_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def known_keys(schema: dict[str, Any] | None = None) -> frozenset[str]:
    return frozenset((schema or builtin_schema()).get("properties", {}))


def errors(document: Any, schema: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """Validate `document`; return (dotted path, message) pairs, sorted, deepest cause first."""
    import jsonschema  # lazy: ~150 ms to import, only needed on a cache miss

    validator_cls = jsonschema.validators.validator_for(schema or builtin_schema())
    validator = validator_cls(schema or builtin_schema())
    out = []
    for err in validator.iter_errors(document):
        leaf = min(err.context, key=lambda e: -len(e.absolute_path), default=err) if err.context else err
        path = ".".join(str(p) for p in leaf.absolute_path) or "(top level)"
        out.append((path, leaf.message))
    return sorted(set(out))
