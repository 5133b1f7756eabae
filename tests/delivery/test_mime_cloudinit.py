"""Debian's cloud-init 22.4 reads our MIME exactly: every part byte for byte, and after its
merging our runcmd and write_files are still there beside the user's (the merge trap)."""

from __future__ import annotations

import base64
import gzip

from delivery_support import cloud_init_view, needs_cloud_init

from bootstrapper import mime
from bootstrapper.profile import DEFAULT_MIME_BOUNDARY
from support import run_cli

pytestmark = needs_cloud_init

USER_CONFIG = """#cloud-config
# the user's own part, with the keys that collide with ours
runcmd:
  - echo user-runcmd
write_files:
  - path: /etc/app/greeting
    content: "h\u00e9llo \u2603"
package_update: true
"""
USER_SCRIPT = "#!/bin/sh\necho user-script reads /run/bootstrapper/credentials.env\n"
OURS = ["/bin/sh", "/var/lib/bootstrapper/first-boot.sh"]


def render_bytes(*args: str) -> bytes:
    result = run_cli("render", *args, binary=True)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def render_mime(tmp_path, *extra: str) -> tuple[bytes, dict[str, bytes]]:
    files = {"app.yaml": USER_CONFIG.encode(), "app.sh": USER_SCRIPT.encode()}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    data = render_bytes("--format", "mime", "--role", "app-role",
                        "--part", str(tmp_path / "app.yaml"), "--part", str(tmp_path / "app.sh"),
                        *extra)
    return data, files


def test_cloud_init_gets_every_part_byte_identical_and_keeps_ours(tmp_path):
    data, files = render_mime(tmp_path)
    view = cloud_init_view(data, tmp_path)
    parts = {p["filename"]: p for p in view["parts"]}
    assert list(parts) == ["user-01-app.yaml", "user-02-app.sh", "bootstrapper.cfg"]
    assert base64.b64decode(parts["user-01-app.yaml"]["payload_b64"]) == files["app.yaml"]
    assert base64.b64decode(parts["user-02-app.sh"]["payload_b64"]) == files["app.sh"]
    plain = render_bytes("--role", "app-role")
    assert base64.b64decode(parts["bootstrapper.cfg"]["payload_b64"]) == plain

    merged = view["cloud_config"]
    assert merged["runcmd"] == [OURS, "echo user-runcmd"]  # ours first: fetch, then theirs
    paths = [f["path"] for f in merged["write_files"]]
    assert "/var/lib/bootstrapper/first-boot.sh" in paths and "/etc/app/greeting" in paths
    assert {f["path"]: f.get("content") for f in merged["write_files"]}[
        "/etc/app/greeting"] == "h\u00e9llo \u2603"  # UTF-8 intact through base64
    assert merged["package_update"] is True  # the user's own keys untouched
    # scripts_user runs by file name: the credential fetch (runcmd) before the user script
    assert view["script_order"] == ["runcmd", "user-02-app.sh"]


def test_gzip_is_undone_by_cloud_init_itself(tmp_path):
    data, _ = render_mime(tmp_path, "--gzip")
    assert data[:2] == b"\x1f\x8b"
    view = cloud_init_view(data, tmp_path)
    assert view["cloud_config"]["runcmd"][0] == OURS


def test_a_user_part_that_asks_to_replace_cannot_remove_ours(tmp_path):
    hostile = tmp_path / "replace.yaml"
    hostile.write_text("#cloud-config\nruncmd: [echo mine-only]\nwrite_files: []\n")
    spec = f"{hostile}:merge=dict(replace)+list(replace)+str(replace)"
    merged = cloud_init_view(render_bytes("--format", "mime", "--part", spec),
                             tmp_path)["cloud_config"]
    assert merged["runcmd"] == [OURS, "echo mine-only"]
    assert "/var/lib/bootstrapper/first-boot.sh" in [f["path"] for f in merged["write_files"]]


def test_the_trap_is_real_without_our_ordering_and_merge_type(tmp_path):
    """Control: the same parts with ours first and no Merge-Type, as a naive tool writes
    them. cloud-init's default merger then drops our runcmd. Proves the test above bites."""
    ours = mime.Part(b"#cloud-config\nruncmd: [ours]\n", "text/cloud-config", "ours.cfg")
    user = mime.Part(b"#cloud-config\nruncmd: [theirs]\n", "text/cloud-config", "user.cfg")
    naive = mime.write([ours, user], DEFAULT_MIME_BOUNDARY)
    assert cloud_init_view(naive, tmp_path)["cloud_config"]["runcmd"] == ["theirs"]


def test_base64_utf8_part_survives_where_8bit_is_lost(tmp_path):
    """Why non-ASCII parts travel base64: cloud-init parses the message from text and
    decodes an 8bit body as Latin-1, so a UTF-8 cloud-config in an 8bit part reaches it
    garbled, fails to load, and is dropped whole."""
    content = "#cloud-config\nwrite_files: [{path: /x, content: \"\u00e9\"}]\n".encode()
    eight_bit = (b'Content-Type: multipart/mixed; boundary="B"\nMIME-Version: 1.0\n\n--B\n'
                 b"Content-Type: text/cloud-config\nContent-Transfer-Encoding: 8bit\n\n"
                 + content + b"\n--B--\n")
    (tmp_path / "8bit").mkdir()
    lost = cloud_init_view(eight_bit, tmp_path / "8bit")
    assert base64.b64decode(lost["parts"][0]["payload_b64"]) != content
    assert "write_files" not in (lost["cloud_config"] or {})

    ours = mime.write([mime.Part(content, "text/cloud-config", "u.cfg")], DEFAULT_MIME_BOUNDARY)
    (tmp_path / "ours").mkdir()
    kept = cloud_init_view(ours, tmp_path / "ours")
    assert base64.b64decode(kept["parts"][0]["payload_b64"]) == content
    assert kept["cloud_config"]["write_files"][0]["content"] == "\u00e9"


def test_gzip_of_our_mime_is_reproducible():
    first = render_bytes("--format", "mime", "--gzip", "--base64")
    second = render_bytes("--format", "mime", "--gzip", "--base64")
    assert first == second
    assert gzip.decompress(base64.b64decode(first))[:13] == b"Content-Type:"
