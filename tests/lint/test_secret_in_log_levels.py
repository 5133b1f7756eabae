"""secret-in-log: an IMDSv2 session token under set -x is a warning that says why."""

from __future__ import annotations

from lint_support import lint_text

TOKEN = ('TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token '
         '-H "X-aws-ec2-metadata-token-ttl-seconds: 60")\n'
         'curl -s -H "X-aws-ec2-metadata-token: $TOKEN" '
         'http://169.254.169.254/latest/meta-data/placement/region\n')


def logged(problems):
    return [(p.line, p.severity, p.message) for p in problems if p.rule == "secret-in-log"]


def test_session_token_alone_is_a_warning_saying_why(tmp_path):
    [(line, severity, message)] = logged(lint_text(tmp_path, "#!/bin/bash\nset -x\n" + TOKEN))
    assert (line, severity) == (2, "warning")
    assert "IMDSv2 session token" in message and "TTL" in message


def test_a_real_secret_after_the_token_is_still_an_error(tmp_path):
    text = ("#!/bin/bash\nset -x\n" + TOKEN +
            "PW=$(aws ssm get-parameter --name /pw --with-decryption --output text)\n"
            "mysql -p\"$PW\" -e 'select 1'\n")
    [(line, severity, message)] = logged(lint_text(tmp_path, text))
    assert (line, severity) == (2, "error") and "$PW" in message


def test_set_x_in_a_mime_shell_part(tmp_path):
    text = ('Content-Type: multipart/mixed; boundary="//"\nMIME-Version: 1.0\n\n--//\n'
            'Content-Type: text/x-shellscript; charset="us-ascii"\n\n#!/bin/bash\nset -x\n'
            'DB_PASSWORD=$(aws ssm get-parameter --name /db --with-decryption --output text)\n'
            'mysql -p"$DB_PASSWORD" < /opt/schema.sql\n--//--\n')
    [(line, severity, _)] = logged(lint_text(tmp_path, text))
    assert (line, severity) == (8, "error")
