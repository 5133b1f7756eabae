"""yaml-syntax: a cloud-config that is not valid YAML, at the line and column where the
parser stopped.

cloud-init drops a cloud-config it cannot parse, so none of its modules run: the instance
boots as if the user-data were empty. The message names the cause when it is a known trap:
a tab used for indentation (YAML allows only spaces), or a `runcmd`/`bootcmd` entry that
` #` cut short (the rest of the line became a YAML comment, leaving unbalanced quotes in
the command; an error that says how to quote the entry). A document over 20,000 nodes once
its aliases are expanded (a "billion laughs" file) is an error naming that limit. Where YAML
stopped at a Terraform `%{ for }`/`%{ if }` directive the finding is `info`: the file is
YAML only once Terraform renders it, so lint the rendered file. Keys given twice are
[`duplicate-key`](#duplicate-key).

FAIL:
    #cloud-config
    runcmd: [echo hi
PASS:
    #cloud-config
    runcmd: [echo hi]
"""

from __future__ import annotations

import re

from .. import yamltraps
from ..cloudconfig import child

ID = "yaml-syntax"
SEVERITY = "error"
OPTIONS = {"duplicate-keys": True}
KINDS = ("cloud-config", "archive")
_TF_DIRECTIVE = re.compile(r"^\s*%\{~?\s*(?:if|else|endif|for|endfor)\b")
_TEMPLATE_NOTE = ("a Terraform template directive (%{ ... }): this cloud-config is YAML only "
                  "once Terraform renders it, so it is not checked here; lint the rendered file")


def check(doc, ctx):
    parsed = doc.config
    if doc.kind not in KINDS or parsed is None:
        return
    offset = doc.offset or 0  # line numbers inside messages are the file's too
    if parsed.error:
        line, column, message, context = parsed.error
        message = message.replace("{context}", str(context + offset))
        lines = doc.text.split("\n")
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        if _TF_DIRECTIVE.match(text):
            yield doc.problem(line, column, ID, "info", _TEMPLATE_NOTE)
            return
        yield doc.problem(line, column, ID, SEVERITY,
                          f"not valid YAML: {yamltraps.tab(text) or message}")
    elif isinstance(parsed.data, dict):
        yield from _comments(doc, parsed)


def _comments(doc, parsed):
    """runcmd/bootcmd entries cut short by a ` #` that YAML took for a comment."""
    lines = doc.text.split("\n")
    for module in yamltraps.COMMAND_LISTS:
        items = child(parsed.node, module)
        for node in getattr(items, "value", None) or []:
            if type(node).__name__ != "ScalarNode" or node.style or \
                    node.end_mark.line != node.start_mark.line:
                continue
            line = node.end_mark.line
            message = yamltraps.comment(lines[line], node.end_mark.column, str(node.value))
            if message:
                yield doc.problem(line + 1, node.end_mark.column + 2, ID, SEVERITY, message)
