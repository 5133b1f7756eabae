"""Shell commands with no '#!' line: cloud-init does not run them (unknown-format), but the
content rules still read them, since they are what the author meant to run."""

from __future__ import annotations

from lint_support import lint_text

from bootstrapper.userdata import read

IMDSV1 = "ID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)\n"
SECRET = "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n"


def found(problems) -> set[tuple[int, str]]:
    return {(p.line, p.rule) for p in problems}


def test_commands_without_shebang_are_still_checked(tmp_path):
    problems = lint_text(tmp_path, "yum install -y jq\n" + IMDSV1 + SECRET)
    assert found(problems) >= {(0, "unknown-format"), (2, "imdsv1"), (3, "hardcoded-secret")}
    assert not any(p.rule == "shellcheck" for p in problems)  # no dialect to guess


def test_mime_script_part_without_shebang_is_checked_at_its_file_line(tmp_path):
    text = ("Content-Type: multipart/mixed; boundary=B\nMIME-Version: 1.0\n\n--B\n"
            "Content-Type: text/x-shellscript\n\n" + IMDSV1 + "--B--\n")
    assert (7, "imdsv1") in found(lint_text(tmp_path, text))


def test_cloud_config_without_header_is_not_read_as_shell(tmp_path):
    text = "runcmd:\n  - echo hi\nwrite_files:\n  - path: /x\n    content: " \
           "curl http://169.254.169.254/latest/meta-data/\n"
    assert not read(text.encode()).snippets
    assert found(lint_text(tmp_path, text)) == {(0, "unknown-format")}


def test_prose_is_not_shell():
    assert not read(b"Hello, this is not user-data at all.\n").snippets
