"""Whatever the input, lint reports findings and never raises: random mixtures of
user-data fragments through extraction and every rule."""

from __future__ import annotations

import base64
import gzip
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bootstrapper.lint import lint_paths, settings_for, with_options
from bootstrapper.lint.extract import extract
from bootstrapper.lint.rules import RULES, Context
from bootstrapper.lint.schemas import Checker, load

FIRST = ["#cloud-config", "#!/bin/sh", "#!/bin/bash -x", "#cloud-boothook", "#include",
         "## template: jinja", "#cloud-config-archive", "#part-handler", "<powershell>",
         "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B", ""]
FRAGMENTS = ["runcmd:", "  - curl http://169.254.169.254/x", "- [wget, http://[fd00:ec2::254]/]",
             "write_files:", "- path: /root/.aws/credentials", "  content: |", "    #!/bin/sh",
             "  encoding: b64", "  permissions: 644", "echo \"$AWS_SECRET_ACCESS_KEY\"",
             "cat <<'EOF'", "EOF", "cat <<EOF", "{ printf x; } >f", "f() { echo \"$*\" >&2; }",
             "set -x", "$(", "`", "'", "\"", "${", "case $x in a) ;; esac", "{{ v1.x }}",
             "{% if x %}", "{% endif %}", "--B", "--B--", "Content-Type: text/x-shellscript",
             "Content-Transfer-Encoding: base64", "AKIA2OGYBAH6TMVQ7XZ4", "\t- tab", ": :",
             "-----BEGIN RSA PRIVATE KEY-----", "chmod 644 ~/.aws/credentials", "\\",
             "python3 -c 'urlopen(\"http://169.254.169.254/\")'", "Invoke-RestMethod http://169.254.169.254/",
             "- content: x\n  type: text/x-shellscript", "&&", "|", "((", "))", "\x00", "ü"]

documents = st.builds(lambda first, rest: "\n".join([first, *rest]) + "\n",
                      st.sampled_from(FIRST), st.lists(st.sampled_from(FRAGMENTS), max_size=12))
encodings = st.sampled_from(["plain", "gzip", "base64", "gzip+base64"])


def encode(text: str, how: str) -> bytes:
    data = text.encode("utf-8")
    if "gzip" in how:
        data = gzip.compress(data, mtime=0)
    if "base64" in how:
        data = base64.b64encode(data)
    return data


CHECKER = Checker(load("builtin"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, encodings)
def test_every_rule_survives_anything(text, how):
    root = extract(encode(text, how), "fuzz")
    for doc in root.walk():
        for rule in RULES.values():
            if hasattr(rule, "check"):
                for item in rule.check(doc, Context(dict(rule.OPTIONS), lambda: CHECKER)):
                    problem = item[1] if isinstance(item, tuple) else item
                    assert problem.severity in ("error", "warning", "info")
                    assert doc.to_file(problem).line >= 0


@settings(max_examples=25, deadline=None)
@given(documents, encodings)
def test_the_whole_run_with_shellcheck_survives_anything(text, how):
    report = lint_paths(["-"], with_options(settings_for(use_config=False), schema="builtin"),
                        stdin=io.BytesIO(encode(text, how)))
    assert len(report.files) == 1


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(data):
    root = extract(data, "bytes")
    assert root.kind
