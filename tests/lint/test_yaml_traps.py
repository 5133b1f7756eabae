"""The classic YAML traps are explained: what YAML did, and how to quote it."""

from __future__ import annotations

from lint_support import lint_text


def messages(problems, rule):
    return [(p.line, p.message) for p in problems if p.rule == rule and p.severity == "error"]


def test_unquoted_colon_in_a_runcmd_entry(tmp_path):
    text = ('#cloud-config\nruncmd:\n  - TOKEN=$(curl -s -X PUT "http://169.254.169.254/latest/'
            'api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 60")\n')
    [(line, message)] = messages(lint_text(tmp_path, text), "schema")
    assert line == 3
    assert "runcmd[0] is a mapping" in message and "unquoted ': '" in message
    assert "single quotes" in message and "not valid under any" not in message


def test_boolean_word_in_an_argv_entry(tmp_path):
    text = "#cloud-config\nruncmd:\n  - [ /opt/configure.sh, --tls, yes ]\n"
    [(line, message)] = messages(lint_text(tmp_path, text), "schema")
    assert line == 3 and "unquoted yes as the boolean True" in message and "'yes'" in message


def test_numbers_where_strings_are_wanted(tmp_path):
    text = "#cloud-config\nruncmd:\n  - [ chmod, 0755, /opt/run.sh ]\n  - [ /opt/run, --port, 8080 ]\n"
    found = messages(lint_text(tmp_path, text), "schema")
    assert [line for line, _ in found] == [3, 4]
    assert "octal number 493" in found[0][1] and "'0755'" in found[0][1]
    assert "as a number" in found[1][1] and "'8080'" in found[1][1]


def test_permissions_as_numbers(tmp_path):
    text = ("#cloud-config\nwrite_files:\n  - {path: /a, permissions: 644, content: x}\n"
            "  - {path: /b, permissions: 0644, content: x}\n")
    found = messages(lint_text(tmp_path, text), "schema")
    assert "mode 1204, not 0644" in found[0][1] and "happens to use as mode 0644" in found[1][1]


def test_comment_cutting_a_command_short(tmp_path):
    text = ("#cloud-config\nruncmd:\n"
            "  - sed -i 's/ #PermitRootLogin yes/PermitRootLogin no/' /etc/ssh/sshd_config\n"
            "  - systemctl restart sshd  # a comment after a whole command is fine\n")
    [(line, message)] = messages(lint_text(tmp_path, text), "yaml-syntax")
    assert line == 3 and "starts a YAML comment" in message and "sed -i 's/" in message


def test_tab_indentation(tmp_path):
    text = "#cloud-config\npackages:\n\t- nginx\n"
    [(line, message)] = messages(lint_text(tmp_path, text), "yaml-syntax")
    assert line == 3 and "a tab indents this line" in message


def test_a_part_that_is_only_a_terraform_placeholder(tmp_path):
    text = ('Content-Type: multipart/mixed; boundary="B"\nMIME-Version: 1.0\n\n--B\n'
            "Content-Type: text/cloud-config\n\n${cloud_config}\n\n--B--\n")
    assert lint_text(tmp_path, text) == []


def test_misspelled_key_reported_even_without_the_header(tmp_path):
    found = lint_text(tmp_path, "packages:\n  - htop\nruncmds:\n  - echo hi\n", "user-data.yaml")
    assert {(p.line, p.rule) for p in found} >= {(0, "unknown-format"), (3, "unknown-key")}
    assert any("did you mean 'runcmd'" in p.message for p in found)


def test_terraform_directives_in_a_cloud_config_template_are_info(tmp_path):
    text = ("#cloud-config\nwrite_files:\n  - content: |\n%{ for line in lines ~}\n"
            "      ${line}\n%{ endfor ~}\n    path: /etc/app/list\n")
    found = lint_text(tmp_path, text, "cloud-init.yaml.tftpl")
    assert [(p.line, p.rule, p.severity) for p in found] == [(4, "yaml-syntax", "info")]
    assert "once Terraform renders it" in found[0].message
