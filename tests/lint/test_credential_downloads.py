"""credential-file-mode: downloads of credentials, b64 write_files, literal harmless text."""

from __future__ import annotations

import base64

import pytest

from lint_support import lint_text


def modes(problems):
    return [(p.line, p.severity) for p in problems if p.rule == "credential-file-mode"]


@pytest.mark.parametrize("command", [
    "aws s3 cp s3://b/registry/config.json /home/app/.docker/config.json",
    "aws s3 cp s3://b/registry/.git-credentials /home/app/",
    "curl -s -o /etc/app/db-password https://vault.internal/pw",
    "wget -qO /etc/app/api-token https://vault.internal/t",
    'curl -s -H "X-aws-ec2-metadata-token: $T" '
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/$ROLE > /etc/app/keys.json",
    'URL="http://169.254.169.254/latest/meta-data/iam/security-credentials/$R"; '
    'wget -q "$URL" -O /tmp/iam.json',
    "SECRET=$(jq -r .SecretAccessKey /tmp/x); printf 'S=%s\\n' \"$SECRET\" > /home/u/.env-cron",
    'cat > /etc/app/settings <<EOF\npassword=$DB_PASSWORD\nEOF',
])
def test_downloaded_credentials_left_world_readable(tmp_path, command):
    assert modes(lint_text(tmp_path, f"#!/bin/sh\n{command}\n")) == [(2, "warning")]


def test_download_made_private_is_fine(tmp_path):
    text = ("#!/bin/sh\naws s3 cp s3://b/config.json /home/app/.docker/config.json\n"
            "chmod 600 /home/app/.docker/config.json\n")
    assert modes(lint_text(tmp_path, text)) == []


def test_literal_text_into_a_token_named_file_is_not_a_credential(tmp_path):
    text = ('#!/bin/sh\necho "server_tokens off;" > /etc/nginx/conf.d/tokens.conf\n'
            'sudo echo "server_tokens off;" > /etc/nginx/conf.d/tokens2.conf\n')
    assert modes(lint_text(tmp_path, text)) == []


def test_b64_write_files_content_holding_a_key(tmp_path):
    key = "aws_access_key_id = AKIA3R7QWZ5NTX2KLM4P\n"
    text = ("#cloud-config\nwrite_files:\n  - path: /etc/app/settings.ini\n    encoding: b64\n"
            f"    content: {base64.b64encode(key.encode()).decode()}\n")
    found = lint_text(tmp_path, text)
    assert modes(found) == [(3, "error")]
    assert any(p.rule == "hardcoded-secret" for p in found)


def test_a_file_created_private_before_it_is_written(tmp_path):
    text = ("#!/bin/sh\nPW=$(aws secretsmanager get-secret-value --secret-id db --output text)\n"
            "install -m 600 /dev/null /etc/app/db.env\n"
            "printf 'DB_PASSWORD=%s\\n' \"$PW\" > /etc/app/db.env\n")
    assert modes(lint_text(tmp_path, text)) == []


def test_literal_text_naming_keys_into_a_credentials_file(tmp_path):
    text = ('#!/bin/sh\nF=~ec2-user/.aws-credentials\n'
            'echo "AWSAccessKeyId=XXX__ACCESSKEY__XXX\\nAWSSecretKey=XXX__SECRETKEY__XXX" >$F\n')
    assert modes(lint_text(tmp_path, text)) == [(3, "warning")]


def test_sed_writing_a_secret_into_a_file(tmp_path):
    text = ("#!/bin/sh\nV=$(aws ssm get-parameter --name p --with-decryption --output text)\n"
            'sed -i "s/Welcome to nginx/$V/g" /usr/share/nginx/html/index.html\n'
            "sed -i \"s/__DB_PASSWORD__/$DB_PASSWORD/\" /etc/app/config.php\n"
            "chmod 600 /etc/app/config.php\n"
            "sed -i 's/^#Port 22/Port 22/' /etc/ssh/sshd_config\n"
            "aws s3 cp s3://b/docker/dockercfg /home/ubuntu/.dockercfg\n")
    assert modes(lint_text(tmp_path, text)) == [(3, "warning"), (7, "warning")]
