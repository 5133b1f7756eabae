"""suppression: an inline suppression that suppresses nothing because of a typo: a
misspelled verb (`disabel`, `disable_line`, no colon) or an unknown rule id, with what was
meant.

`# bootstrapper: disabel=imdsv1`, `# bootstrapper disable=imdsv1` (no colon) or
`# bootstrapper: disable=hardcoded-secrets` look like they silence a finding, and the
finding is still reported, or worse, the author believes a finding is known and the
comment hides nothing; either way the comment is wrong. Reported with what was meant
(`did you mean 'hardcoded-secret'?`).

FAIL:
    #!/bin/sh
    curl -s http://169.254.169.254/latest/meta-data/ # bootstrapper: disable=imdsv2
PASS:
    #!/bin/sh
    curl -s http://169.254.169.254/latest/meta-data/ # bootstrapper: disable=imdsv1
"""

from __future__ import annotations

from .. import directives

ID = "suppression"
SEVERITY = "warning"
OPTIONS: dict = {}


def check(doc, ctx):
    # directives are read from the file's text and from each encoded layer's decoded text
    # (engine): look exactly there, once each
    if doc.where and not (doc.offset is None and not doc.children):
        return
    from . import RULES  # the registry imports this module

    for line, message in directives.mistakes(doc.text, RULES):
        yield doc.problem(line, 0, ID, SEVERITY, message)
