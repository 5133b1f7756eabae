"""imdsv1: the address in any spelling curl accepts, and requests nested in sh -c."""

from __future__ import annotations

import pytest

from lint_support import lint_text


def imdsv1_lines(problems) -> list[int]:
    return [p.line for p in problems if p.rule == "imdsv1"]


@pytest.mark.parametrize("host", ["0251.254.169.254", "0xa9fea9fe", "2852039166",
                                  "0xa9.0xfe.0xa9.0xfe", "169.254.43518",
                                  "instance-data.ec2.internal", "instance-data"])
def test_address_spellings(tmp_path, host):
    text = f"#!/bin/sh\nID=$(curl -s http://{host}/latest/meta-data/instance-id)\n"
    assert imdsv1_lines(lint_text(tmp_path, text)) == [2]


@pytest.mark.parametrize("host", ["169.254.169.253", "10.0.0.2", "2852039167", "0x0a000002"])
def test_other_addresses(tmp_path, host):
    text = f"#!/bin/sh\ncurl -s http://{host}/latest/meta-data/instance-id\nsleep 2852039166\n"
    assert imdsv1_lines(lint_text(tmp_path, text)) == []


def test_nested_shells(tmp_path):
    text = """#cloud-config
runcmd:
  - [ sh, -c, "echo IP=$(curl -s http://169.254.169.254/latest/meta-data/local-ipv4) >> /etc/environment" ]
  - [ bash, -ec, 'curl -s -H "X-aws-ec2-metadata-token: $T" http://169.254.169.254/latest/meta-data/' ]
  - su - app -c 'wget -qO- http://169.254.169.254/latest/meta-data/instance-id'
"""
    assert imdsv1_lines(lint_text(tmp_path, text)) == [3, 5]


@pytest.mark.parametrize("options", ["-sH", "-fsSLH"])
def test_bundled_short_options_carry_the_header(tmp_path, options):
    text = ('#!/bin/sh\nTOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token '
            '-H "X-aws-ec2-metadata-token-ttl-seconds: 60")\n'
            f'curl {options} "X-aws-ec2-metadata-token: $TOKEN" '
            'http://169.254.169.254/latest/meta-data/instance-id\n')
    assert imdsv1_lines(lint_text(tmp_path, text)) == []
