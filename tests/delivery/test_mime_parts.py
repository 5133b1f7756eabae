"""--format mime: part specs, type inference, transfer encodings, refusals, and Python's
`email` parsing the result back byte for byte."""

from __future__ import annotations

import email
import email.policy
import gzip

import pytest
from hypothesis import given, settings, strategies as st

from bootstrapper import mime
from bootstrapper.errors import BootstrapperError, InputError, ProfileError, RefusedError
from bootstrapper.profile import DEFAULT_MIME_BOUNDARY

BOUNDARY = DEFAULT_MIME_BOUNDARY


def write(tmp_path, name: str, content: bytes | str) -> str:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def parse(data: bytes, policy=email.policy.compat32):
    message = email.message_from_bytes(data, policy=policy)
    assert message.is_multipart() and not message.defects
    return [p for p in message.walk() if p.get_content_maintype() != "multipart"]


@pytest.mark.parametrize("spec, expected", [
    ("a.yaml", ("a.yaml", None, None, None)),
    ("a.yaml:text/cloud-config", ("a.yaml", "text/cloud-config", None, None)),
    ("a.sh:Text/X-Shellscript", ("a.sh", "text/x-shellscript", None, None)),
    ("a:merge=list(append)+dict(recurse_array)+str()",
     ("a", None, "list(append)+dict(recurse_array)+str()", None)),
    ("a:text/cloud-config:filename=b.cfg:merge=dict(replace)+list()+str()",
     ("a", "text/cloud-config", "dict(replace)+list()+str()", "b.cfg")),
    ("dir:with/colon.sh", ("dir:with/colon.sh", None, None, None)),  # not a type: kept
])
def test_part_spec(spec, expected):
    got = mime.parse_spec(spec)
    assert (got.path, got.content_type, got.merge_type, got.filename) == expected


@pytest.mark.parametrize("spec, words", [
    ("a:merge=list(sideways)", "options"),
    ("a:merge=dict(replace)+", "merge type"),
    ("a:filename=../../etc/x", "filename"),
    ("a:text/cloud-config:text/x-shellscript", "twice"),
    (":text/cloud-config", "no file name"),
])
def test_bad_part_specs(spec, words):
    with pytest.raises(ProfileError, match=words):
        mime.parse_spec(spec)


@pytest.mark.parametrize("first_line, content_type", [
    ("#cloud-config", "text/cloud-config"),
    ("#!/bin/bash", "text/x-shellscript"),
    ("#cloud-boothook", "text/cloud-boothook"),
    ("#include", "text/x-include-url"),
    ("#include-once", "text/x-include-once-url"),
    ("## template: jinja", "text/jinja2"),
    ("#part-handler", "text/part-handler"),
    ("#cloud-config-archive", "text/cloud-config-archive"),
    ("  #Cloud-Config", "text/cloud-config"),  # cloud-init: lstrip, case-insensitive
    ("just text", None),
])
def test_type_inferred_from_first_line(first_line, content_type):
    assert mime.sniff(f"{first_line}\nrest\n".encode()) == content_type


def test_parts_in_order_then_ours_with_merge_type(tmp_path):
    one = write(tmp_path, "one.yaml", "#cloud-config\nruncmd: [echo one]\n")
    two = write(tmp_path, "two.sh", "#!/bin/sh\necho two\n")
    three = write(tmp_path, "three.txt", "echo three\n")
    data = mime.assemble(b"#cloud-config\nruncmd: [ours]\n", "cloud-config",
                         [one, two, f"{three}:text/x-shellscript-per-boot"], BOUNDARY)
    parts = parse(data)
    assert [(p.get_content_type(), p.get_filename()) for p in parts] == [
        ("text/cloud-config", "user-01-one.yaml"),
        ("text/x-shellscript", "user-02-two.sh"),
        ("text/x-shellscript-per-boot", "user-03-three.txt"),
        ("text/cloud-config", "bootstrapper.cfg"),
    ]
    assert parts[-1]["X-Merge-Type"] == mime.BOOTSTRAP_MERGE_TYPE
    assert all(p["X-Merge-Type"] is None for p in parts[:-1])
    assert data.startswith(b"Content-Type: multipart/mixed; boundary=")
    assert b"mime-version: 1.0" in data[:4096].lower()  # what cloud-init looks for


def test_user_scripts_sort_after_runcmd_and_keep_their_order():
    names = [mime.default_name(i, 12, f"/x/{n}") for i, n in enumerate("ba", 1)]
    assert names == ["user-01-b", "user-02-a"] and sorted(names + ["runcmd"])[0] == "runcmd"
    assert mime.default_name(1, 1, "/x/we ird name!.sh") == "user-01-we_ird_name_.sh"


def test_merge_type_and_filename_of_a_user_part(tmp_path):
    one = write(tmp_path, "one.yaml", "#cloud-config\npackages: [jq]\n")
    data = mime.assemble(b"#cloud-config\n{}\n", "cloud-config",
                         [f"{one}:merge=list(append)+dict(recurse_array)+str():filename=a.cfg"],
                         BOUNDARY)
    first = parse(data)[0]
    assert first.get_filename() == "a.cfg"
    assert first["X-Merge-Type"] == "list(append)+dict(recurse_array)+str()"


@pytest.mark.parametrize("content, encoding", [
    (b"#!/bin/sh\necho plain ascii\n", "7bit"),
    (b"#!/bin/sh\necho no newline at the end", "7bit"),
    ("#!/bin/sh\necho 'h\u00e9llo \u2603'\n".encode(), "base64"),  # UTF-8
    (b"#!/bin/sh\r\necho crlf\r\n", "base64"),  # a CR would not survive line parsing
    (b"#!/bin/sh\n: " + b"x" * 1200 + b"\n", "base64"),  # over 998 octets a line
])
def test_transfer_encoding_carries_every_byte(tmp_path, content, encoding):
    path = write(tmp_path, "p.sh", content)
    data = mime.assemble(b"#cloud-config\n{}\n", "cloud-config", [path], BOUNDARY)
    for policy in (email.policy.compat32, email.policy.default):
        part = parse(data, policy)[0]
        assert part["Content-Transfer-Encoding"] == encoding
        assert part.get_payload(decode=True) == content
    assert all(len(line) <= 998 for line in data.split(b"\n"))


@pytest.mark.parametrize("name, content, error, words", [
    ("empty.yaml", "  \n", InputError, "empty"),
    ("latin1.sh", b"#!/bin/sh\necho \xe9\n", InputError, "not UTF-8"),
    ("bad.yaml", "#cloud-config\nruncmd: [unclosed\n", RefusedError, "not valid YAML"),
    ("list.yaml", "#cloud-config\n- a\n", RefusedError, "mapping"),
    ("what.txt", "hello\n", ProfileError, "cannot tell the content type"),
    ("zipped.gz", gzip.compress(b"#cloud-config\n{}\n"), RefusedError, "gzip-encoded"),
    ("b64.txt", "I2Nsb3VkLWNvbmZpZwp7fQo=\n", RefusedError, "base64-encoded"),
])
def test_parts_cloud_init_would_mishandle_are_refused(tmp_path, name, content, error, words):
    path = write(tmp_path, name, content)
    with pytest.raises(error, match=words):
        mime.assemble(b"#cloud-config\n{}\n", "cloud-config", [path], BOUNDARY)


@pytest.mark.parametrize("suffix, words", [
    (":text/cloud-confg", "did you mean text/cloud-config"),
    (":text/x-shellscript", "first line makes it text/cloud-config"),
    (":merge=list(append)+dict()+str():text/x-shellscript-per-boot", None),
])
def test_declared_types_are_checked(tmp_path, suffix, words):
    yaml_path = write(tmp_path, "a.yaml", "#cloud-config\n{}\n")
    script = write(tmp_path, "a.sh", "#!/bin/sh\ntrue\n")
    path = script if words is None else yaml_path
    with pytest.raises(ProfileError, match=words or "merge= applies to cloud-config"):
        mime.assemble(b"#cloud-config\n{}\n", "cloud-config", [path + suffix], BOUNDARY)


def test_missing_part_file_names_it(tmp_path):
    with pytest.raises(InputError, match="nope.yaml: cannot read part"):
        mime.assemble(b"#cloud-config\n{}\n", "cloud-config", [str(tmp_path / "nope.yaml")],
                      BOUNDARY)


def test_boundary_in_a_part_is_refused_and_another_works(tmp_path):
    path = write(tmp_path, "a.sh", f"#!/bin/sh\n# --{BOUNDARY}\n")
    with pytest.raises(ProfileError, match="choose another --mime-boundary"):
        mime.assemble(b"#cloud-config\n{}\n", "cloud-config", [path], BOUNDARY)
    data = mime.assemble(b"#cloud-config\n{}\n", "cloud-config", [path], "other-boundary")
    assert parse(data)[0].get_payload(decode=True) == f"#!/bin/sh\n# --{BOUNDARY}\n".encode()


def test_two_parts_with_one_name_are_refused(tmp_path):
    a = write(tmp_path, "a.sh", "#!/bin/sh\ntrue\n")
    with pytest.raises(ProfileError, match="two parts are named"):
        mime.assemble(b"#cloud-config\n{}\n", "cloud-config",
                      [f"{a}:filename=x.sh", f"{a}:filename=x.sh"], BOUNDARY)


def test_a_shell_bootstrap_is_a_script_part_that_runs_first(tmp_path):
    a = write(tmp_path, "a.sh", "#!/bin/sh\ntrue\n")
    parts = parse(mime.assemble(b"#!/bin/sh\necho ours\n", "shell", [a], BOUNDARY))
    ours = parts[-1]
    assert (ours.get_content_type(), ours["X-Merge-Type"]) == ("text/x-shellscript", None)
    assert sorted(p.get_filename() for p in parts)[0] == ours.get_filename()


def test_the_same_input_gives_the_same_bytes(tmp_path):
    a = write(tmp_path, "a.yaml", "#cloud-config\nruncmd: [\"echo \u00e9\"]\n")
    runs = {mime.assemble(b"#cloud-config\n{}\n", "cloud-config", [a], BOUNDARY)
            for _ in range(3)}
    assert len(runs) == 1


def test_bad_boundary_is_a_profile_error():
    from bootstrapper import profile

    with pytest.raises(ProfileError, match="mime_boundary"):
        profile.from_mapping({"mime_boundary": "has space"})
    with pytest.raises(ProfileError, match="mime_boundary"):
        profile.from_mapping({"mime_boundary": "x" * 71})


def test_parts_need_format_mime(cli, tmp_path):
    a = write(tmp_path, "a.sh", "#!/bin/sh\ntrue\n")
    result = cli("render", "--part", a)
    assert result.returncode == 2 and "need --format mime" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300)


@settings(max_examples=150, deadline=None)
@given(bodies=st.lists(texts, min_size=1, max_size=4))
def test_any_script_bodies_round_trip_through_email(bodies):
    parts = [mime.Part(f"#!/bin/sh\n{body}".encode(), "text/x-shellscript", f"p{i}.sh")
             for i, body in enumerate(bodies)]
    try:
        data = mime.write(parts, BOUNDARY)
    except BootstrapperError:  # the boundary itself occurs in a body: refused, fine
        assert any(BOUNDARY in body for body in bodies)
        return
    got = [p.get_payload(decode=True) for p in parse(data)]
    assert got == [p.content for p in parts]
