"""jinja-syntax: a `## template: jinja` user-data whose template does not parse.

cloud-init renders such a file with instance data before reading it; a template that does
not parse cannot be rendered, so the instance gets none of it. Reported at the line Jinja
names. Once the template parses, the rest is linted with every `{{ ... }}` replaced by a
placeholder word (both branches of an `{% if %}`).

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
