"""jinja-syntax: a `## template: jinja` user-data whose template does not parse.

cloud-init cannot render it, so the instance gets none of it.

FAIL:
    ## template: jinja
    #cloud-config
    hostname: {{ v1.local_hostname }
PASS:
    ## template: jinja
    #cloud-config
    hostname: {{ v1.local_hostname }}
"""

from __future__ import annotations

from ..template import syntax_error

ID = "jinja-syntax"
SEVERITY = "error"
OPTIONS: dict = {}


def check(doc, ctx):
    if doc.kind != "jinja":
        return
    error = syntax_error(doc.text)
    if error:
        yield doc.problem(error[0], 0, ID, SEVERITY, f"template syntax error: {error[1]}")
