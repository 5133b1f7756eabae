"""hardcoded-secret beyond AWS keys: passwords on command lines, prefixed tokens, URLs."""

from __future__ import annotations

import pytest

from bootstrapper.lint import secrets

FOUND = [
    ('echo "ubuntu:S3cret!Pw" | chpasswd', "chpasswd"),
    ("echo 'J3nkins#Build' | passwd --stdin jenkins", "passwd --stdin"),
    ("mysql -u root -p'R00t-Passw0rd' -e 'select 1'", "MySQL"),
    ("mysqladmin -uroot --password=Hunter2Pw status", "MySQL"),
    ("curl -s -u admin:Jenk1nsAdm1n http://localhost:8080/", "curl -u"),
    ("docker login -u me -p S3cretPw0rd registry.example.com", "docker login"),
    ('sed -i "s/password_here/Wp4dm1nDbPass/" wp-config.php', "sed"),
    ("git clone https://deploybot:Zq8fT3vLk2Rn@git.example.net/a.git", "URL"),
    ("git clone https://ghp_R8kq2LmZx7VtP4nW9sYc3Hd6Jf1Bg5Qa0EuT@github.com/a/b", "GitHub"),
    ("TOKEN=github_pat_11ABCDEFG0abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL", "GitHub"),
    ('--registration-token "glpat-x7Hq3ZkLm9Rv2TnWp5Yc"', "GitLab"),
    ("-H 'Authorization: Bearer xoxb-2718281828-3141592653-aZ9kQ2mW7rT4yV1nB8cX5dLp'", "Slack"),
    ("docker login -u a -p dckr_pat_2bQkV9xR7mT4wLpZs8NcYd1Hf3E", "Docker Hub"),
    ("echo 'root:changeme' | chpasswd", "chpasswd"),  # a default launched as is
    ('echo "Duod1pcdABe5P" | sudo passwd --stdin ec2-user', "passwd --stdin"),
    ('echo -e "newpassword\\nnewpassword" | (passwd --stdin $USER)', "passwd"),
    ('echo -e "S3cretPw\\nS3cretPw" | passwd ubuntu', "passwd"),
    ('export DB_PASSWORD="Sup3rS3cret"', "DB_PASSWORD"),
    ("docker run -d -e MYSQL_ROOT_PASSWORD=An0therPw mysql:8", "MYSQL_ROOT_PASSWORD"),
    ('echo "REDIS_PASSWORD=Red1sPw" >> /etc/app.env', "REDIS_PASSWORD"),
    ("API_KEY=abcd1234efgh", "API_KEY"),
]
NOT_FOUND = [
    'echo "admin:${ADMIN_PW}" | chpasswd',
    'echo "${admin_user}:${admin_password}" | chpasswd',
    "mysql -u app -p\"$DB_PASSWORD\" -e 'select 1'",
    "mysql -u root -p -e 'select 1'",
    "mysql -u root -p'{{ db_root_password }}'",
    'curl -u "admin:$ADMIN_PASSWORD" http://localhost/',
    "curl -u admin:<PASSWORD> http://localhost/",
    "docker login -u fleet --password-stdin registry.acme.io",
    "sed -i 's/^PasswordAuthentication no/PasswordAuthentication yes/' /etc/ssh/sshd_config",
    'sed -i "s/password_here/$DB_PASSWORD/" wp-config.php',
    "sed -i 's/#password=/password=/' /etc/app.conf",
    "sed -i 's/^#\\?\\(PasswordAuthentication\\).*/\\1 yes/' /etc/ssh/sshd_config",
    "echo 'ubuntu:YOUR_PASSWORD_HERE' | chpasswd",
    "git clone https://$USER:$TOKEN@github.com/a/b",
    "DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id prod/db)",
    "PW=$(aws ssm get-parameter --name /pw --with-decryption --query Parameter.Value)",
    "curl -fsSL https://get.docker.com | sh",
    "echo 'ubuntu:xxxxxxxx' | chpasswd",
    "DB_PASSWORD_FILE=/run/secrets/db",
    "TOKEN_TTL=21600",
    "ENABLE_PASSWORD=true",
    "PRIVATE_KEY=/etc/ssl/private/key.pem",
    "SECRET_NAME=prod/db",
    "PASSWORD=${1:-}",
    "printf 'AWS_SECRET_ACCESS_KEY=%s\\n' \"$KEY\" > /etc/app/env",
    "DB_PASSWORD=<your-db-password>",
]


@pytest.mark.parametrize(("line", "kind"), FOUND)
def test_found(line, kind):
    [found] = secrets.find(f"#!/bin/sh\n{line}\n")
    assert kind in found.kind and found.line == 2
    assert "S3cret" not in found.shown and "Jenk1ns" not in found.shown  # masked


@pytest.mark.parametrize("line", NOT_FOUND)
def test_not_found(line):
    assert secrets.find(f"#!/bin/sh\n{line}\n") == []


def test_cloud_config_clear_text_passwords(tmp_path):
    from lint_support import lint_text

    text = """#cloud-config
password: Def4ultUs3rPw
chpasswd:
  list: |
    root:Tr41ning-Lab-Root
    ubuntu:RANDOM
    admin:$6$rounds=4096$salt$hashhashhash
  users:
    - {name: a, password: Pl41nText-Pw, type: text}
    - {name: b, password: $6$salt$hash, type: hash}
    - {name: c, password: RANDOM, type: RANDOM}
users:
  - name: trainer
    plain_text_passwd: Tr41ner!2024
  - name: other
    plain_text_passwd: ${trainer_password}
"""
    found = [p.line for p in lint_text(tmp_path, text) if p.rule == "hardcoded-secret"]
    assert found == [2, 5, 9, 14]
