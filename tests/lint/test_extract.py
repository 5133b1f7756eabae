"""Any user-data → documents: kinds, layers, and where each part's lines are."""

from __future__ import annotations

import base64
import gzip

import pytest

from bootstrapper.lint.extract import extract


def kinds(data: bytes) -> list[str]:
    return [doc.kind for doc in extract(data, "x").walk()]


@pytest.mark.parametrize("text, kind", [
    ("#cloud-config\na: 1\n", "cloud-config"),
    ("  #Cloud-Config\n", "cloud-config"),           # cloud-init: case-insensitive, lstrip
    ("#!/bin/bash\necho\n", "shell"),
    ("#!/usr/bin/env python3\nprint(1)\n", "script"),
    ("#cloud-boothook\necho\n", "boothook"),
    ("#include\nhttps://x/y\n", "include"),
    ("#include-once\nhttps://x/y\n", "include"),
    ("#cloud-config-archive\n- content: x\n", "archive"),
    ("#cloud-config-jsonp\n[]\n", "jsonp"),
    ("#part-handler\ndef list_types(): return []\n", "part-handler"),
    ("## template: jinja\n#cloud-config\n", "jinja"),
    ("<powershell>\nGet-Date\n</powershell>\n", "powershell"),
    ("<script>\necho %DATE%\n</script>\n", "batch"),
    ("", "unknown"),                                  # empty: nothing runs (a finding)
    ("\n  \n", "unknown"),
    ("hello world\n", "unknown"),
    ("#upstart-job\n", "unknown"),
    ("abcdefgh\n", "unknown"),                        # base64 of garbage is not user-data
])
def test_kinds(text, kind):
    assert extract(text.encode(), "x").kind == kind


def test_layers_base64_gzip_mime():
    mime = (b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
            b"Content-Type: text/x-shellscript\n\n#!/bin/sh\necho\n--B--\n")
    data = base64.b64encode(gzip.compress(mime, mtime=0))
    root = extract(data, "x")
    assert kinds(data) == ["base64", "gzip", "mime", "shell"]
    assert root.format == "base64+gzip+mime"
    assert [d.offset for d in root.walk()] == [0, None, None, None]


def test_mime_part_lines_map_to_the_file():
    text = ("Content-Type: multipart/mixed; boundary=\"B\"\r\nMIME-Version: 1.0\r\n\r\n"
            "--B\r\nContent-Type: text/cloud-config\r\n\r\nruncmd:\r\n - ls\r\n--B--\r\n")
    part = extract(text.encode(), "x").children[0]
    assert part.kind == "cloud-config"            # by content type: no header needed
    assert part.offset == 6                       # part line 1 is file line 7
    assert part.snippets[0].locate(2)[0] + part.offset == 8  # line 1 is the #!/bin/sh


def test_shell_mime_part_without_shebang_is_reported_not_run():
    text = ("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
            "Content-Type: text/x-shellscript\n\necho hi\n--B--\n")
    part = extract(text.encode(), "x").children[0]
    assert part.kind == "unknown" and "#!" in part.note


def test_write_files_snippets_know_their_lines_and_encodings():
    encoded = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()
    text = (f"#cloud-config\nwrite_files:\n- path: /a\n  content: |\n    #!/bin/bash\n    ls\n"
            f"- path: /b\n  encoding: b64\n  content: {encoded}\nruncmd:\n- echo one\n- [ls, -l]\n")
    snippets = {s.where: s for s in extract(text.encode(), "x").snippets}
    assert (snippets["write_files[0] /a"].line, snippets["write_files[0] /a"].language) == (4, "bash")
    assert not snippets["write_files[1] /b"].exact and snippets["write_files[1] /b"].text.startswith("#!")
    # runcmd is the one script cloud-init writes: #!/bin/sh, a string as is, a list quoted
    runcmd = snippets["runcmd"]
    assert runcmd.text == "#!/bin/sh\necho one\nls -l\n" and runcmd.role == "command"
    assert [runcmd.locate(n)[0] for n in (1, 2, 3)] == [10, 11, 12]


def test_jinja_placeholders_keep_lines():
    text = "## template: jinja\n#cloud-config\n{% if x %}\nhostname: {{ a.b }}\n{% endif %}\n"
    child = extract(text.encode(), "x").children[0]
    assert child.templated and child.offset == 1
    assert child.config.data == {"hostname": "JINJA_PLACEHOLDER"}
    assert child.config.line_of(("hostname",))[0] + child.offset == 4


def test_gzip_bomb_and_corrupt_gzip_are_unknown_not_crashes():
    bomb = gzip.compress(b"\0" * (9 * 1024 * 1024), mtime=0)
    assert "size cap" in extract(bomb, "x").note
    assert extract(b"\x1f\x8b\x08garbage", "x").kind == "unknown"


def test_deep_nesting_stops():
    data = b"#cloud-config\n{}\n"
    for _ in range(12):
        data = base64.b64encode(data)
    assert "unknown" in kinds(data)
