"""Bytes → the tree of documents cloud-init would see. The one reader of user-data.

lint runs its rules on this tree, `inspect` formats it, and render's validation lints
its own output through it. Layout: `types` (cloud-init's type table and the shebang
rule), `limits` (every bound), `tree` (the layers: base64, gzip, MIME, Jinja, parts),
`mime` (MIME as cloud-init's email parser reads it, with line numbers), `cloudconfig`
(YAML with positions; runcmd/bootcmd as the scripts cloud-init writes), `document`
(the Document and Snippet types). Imports nothing from lint, render or cli; this module
stays light (encode imports `limits` and `types` on render's cold path).
"""

from __future__ import annotations


def read(data: bytes, path: str = "<user-data>"):
    """The Document tree of one user-data's bytes (never raises on bad input)."""
    from .tree import extract

    return extract(data, path)
