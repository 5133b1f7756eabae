"""gzip / base64 encodings, the size budget against EC2's 16,384 bytes, and the refusals of
double encoding (the launch-configuration trap)."""

from __future__ import annotations

import base64
import gzip
import random

import pytest

from bootstrapper import encode
from bootstrapper.errors import RefusedError
from support import run_cli


def test_gzip_is_reproducible_with_mtime_zero_and_no_name():
    data = b"#cloud-config\n" + b"runcmd: [true]\n" * 50
    first, second = encode.gzip_bytes(data), encode.gzip_bytes(data)
    assert first == second
    assert first[4:8] == b"\0\0\0\0"  # MTIME
    assert not first[3] & 0x08  # FLG.FNAME unset: no file name stored
    assert gzip.decompress(first) == data


def test_budget_numbers():
    raw = b"#cloud-config\n" + b"a: b\n" * 1000
    plain = encode.budget(raw)
    assert (plain.raw, plain.sent, plain.gzipped) == (len(raw), len(raw), False)
    assert plain.gzip == len(encode.gzip_bytes(raw))
    assert plain.base64 == len(base64.b64encode(raw)) and plain.fits
    zipped = encode.budget(raw, gzipped=encode.gzip_bytes(raw))
    assert zipped.sent == zipped.gzip and zipped.base64 == len(base64.b64encode(
        encode.gzip_bytes(raw)))
    assert "raw 5014 bytes" in plain.describe() and "16384" in plain.describe()


def test_the_limit_is_on_the_bytes_ec2_counts():
    exactly = b"#!/bin/sh\n" + b"#" * (encode.EC2_LIMIT - 11) + b"\n"
    assert len(exactly) == encode.EC2_LIMIT
    assert encode.finish(exactly) == exactly
    with pytest.raises(RefusedError):
        encode.finish(exactly + b"\n")


def test_over_the_limit_says_the_numbers_and_that_gzip_fits():
    raw = b"#cloud-config\n" + b"runcmd: [true]\n" * 2000
    with pytest.raises(RefusedError) as caught:
        encode.finish(raw, base64=True)
    message = str(caught.value)
    s = encode.budget(raw)
    assert f"raw {s.raw}," in message and f"gzip {s.gzip}," in message
    assert f"base64 {s.base64}" in message and "add --gzip" in message
    assert caught.value.exit_code == 1
    assert gzip.decompress(base64.b64decode(encode.finish(raw, gzip=True, base64=True))) == raw


def test_when_even_gzip_does_not_fit_it_says_so():
    noise = random.Random(5).randbytes(40000)
    raw = b"#cloud-config\n# " + base64.b64encode(noise) + b"\n"
    with pytest.raises(RefusedError, match="even gzipped it does not fit"):
        encode.finish(raw, gzip=True)


@pytest.mark.parametrize("data, kind", [
    (encode.gzip_bytes(b"#cloud-config\n{}\n"), "gzip"),
    (base64.b64encode(b"#cloud-config\n{}\n"), "base64"),
    (base64.encodebytes(b"#!/bin/sh\n" + b"true\n" * 40), "base64"),  # wrapped lines
    (base64.b64encode(encode.gzip_bytes(b"#!/bin/sh\n")), "base64"),
    (base64.b64encode(base64.b64encode(b"anything at all")), "base64"),
    (b"#cloud-config\n{}\n", None),
    (b"abcd", None),  # valid base64 of nothing that looks like user-data
    (b"echo hello\n", None),
])
def test_recognising_encoded_user_data(data, kind):
    assert encode.encoded_as(data) == kind


def test_gunzip_refuses_a_bomb():
    bomb = encode.gzip_bytes(b"\0" * (2 << 20))
    with pytest.raises(ValueError, match="more than"):
        encode.gunzip(bomb)


# --- the CLI ---------------------------------------------------------------------------


def big_part(tmp_path) -> str:
    path = tmp_path / "big.yaml"
    path.write_text("#cloud-config\nwrite_files:\n" + "".join(
        f"  - path: /etc/app/file{i}\n    content: \"the same long line of configuration\"\n"
        for i in range(300)))
    return str(path)


def test_render_over_the_limit_exits_1_and_names_gzip(cli, tmp_path):
    result = cli("render", "--format", "mime", "--part", big_part(tmp_path))
    assert result.returncode == 1 and result.stdout == ""
    assert "16384" in result.stderr and "add --gzip" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    fits = cli("render", "--format", "mime", "--part", big_part(tmp_path), "--gzip",
               "--base64")
    assert fits.returncode == 0, fits.stderr


def test_an_already_encoded_part_is_refused(cli, tmp_path):
    part = tmp_path / "ud.b64"
    part.write_bytes(base64.b64encode(b"#cloud-config\nruncmd: [true]\n"))
    result = cli("render", "--format", "mime", "--part", f"{part}:text/cloud-config")
    assert result.returncode == 1 and "already base64-encoded" in result.stderr


def test_launch_template_refuses_base64_twice(cli):
    result = cli("launch-template", "--base64")
    assert result.returncode == 2 and result.stdout == ""
    assert "encode it twice" in result.stderr


def test_render_gzip_base64_is_what_cloud_init_gets(tmp_path):
    out = run_cli("render", "--gzip", "--base64", binary=True).stdout
    plain = run_cli("render", binary=True).stdout
    assert out.endswith(b"\n") and gzip.decompress(base64.b64decode(out)) == plain
