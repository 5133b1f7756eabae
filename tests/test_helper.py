"""The static helper (issue 16): templates/partials/bootstrapper-imds.sh is checked as it
stands and in every copy a render can ship; render then shellchecks only its configuration,
and what ships is that configuration plus one of the checked copies, gzip'd (issue 15)."""

from __future__ import annotations

import itertools

import pytest

from bootstrapper import build, helper, profile, shellcheck
from bootstrapper.quoting import gz_b64
from support import RICHEST, assert_posix_sh, helper_of, run_cli

FORMATS = ["cloud-config", "shell"]


def checked(tmp_path, text: str) -> None:
    path = tmp_path / "script.sh"
    path.write_text(text)
    assert_posix_sh(path)


def test_the_file_as_it_stands_is_clean(tmp_path):
    checked(tmp_path, helper.source_path().read_text())


def default_config(variant: str) -> str:
    """A configuration as the conf template writes it: the names the variant reads."""
    values = dict(line.split("=", 1) for line in helper.source().split("\n")
                  if line.split("=", 1)[0] in helper.config_names())
    return "#!/bin/sh\n# bootstrapper-imds test\n" + "".join(
        f"{name}={values[name]}\n" for name in helper.reads(variant))


@pytest.mark.parametrize("keep", sorted(helper.variants(), key=sorted), ids=lambda k:
                         "+".join(sorted(k)) or "none")
def test_every_copy_a_render_can_ship_is_clean(tmp_path, keep):
    variant = helper.variants()[keep]
    assert "#@" not in variant and "\n#" not in variant.replace("\n# shellcheck", "")
    checked(tmp_path, default_config(variant) + variant)


def test_every_copy_a_render_can_ship_lints_clean_whole(monkeypatch, tmp_path):
    """Every lint rule, not only shellcheck, skips a checked body (bootstrapper.helper):
    here each copy is linted whole, with that trust off, and nothing is found."""
    from bootstrapper.lint import lint_paths, settings_for

    monkeypatch.setattr(helper, "TRUST", False)
    paths = []
    for keep, variant in helper.variants().items():
        path = tmp_path / f"{'+'.join(sorted(keep)) or 'none'}.sh"
        path.write_text(default_config(variant) + variant)
        paths.append(str(path))
    report = lint_paths(paths, settings_for(use_config=False))
    assert len(report.files) == len(paths)
    assert [str(p) for f in report.files for p in f.problems] == []


def test_every_profile_ships_its_configuration_and_a_checked_copy():
    """The golden files differ from one another only by the configuration block: every
    feature mix ships the rendered conf template followed by one checked body."""
    bodies = set(helper.variants().values())
    for lockdown, refresh, cp, forwarded in itertools.product([False, True], repeat=4):
        if forwarded and not lockdown:
            continue
        data = {"lockdown": lockdown, "refresh": refresh, "allow_forwarded_imds": forwarded,
                "credential_process_file": "/run/b/p.json" if cp else None}
        script = helper_of(build.build(profile.from_mapping(data)).raw.decode())
        head = helper.known_head(script)
        assert head is not None and script[len(head):] in bodies, data
        assert head.startswith("#!/bin/sh\n# bootstrapper-imds ")
        assert all(line.split("=", 1)[0] in helper.config_names()
                   for line in head.split("\n")[2:] if line), head


def test_unused_sections_are_left_out():
    minimal = helper_of(build.build(profile.from_mapping({"refresh": False})).raw.decode())
    assert "lockdown_nft" not in minimal and "persist_systemd" not in minimal
    assert "write_process_files()" not in minimal
    rich = helper_of(build.build(profile.from_mapping(
        {"lockdown": True, "credential_process_file": "/run/b/p.json"})).raw.decode())
    assert all(name in rich for name in ("lockdown_nft", "persist_systemd",
                                         "write_process_files()"))


def test_an_unknown_section_name_is_an_error():
    text = helper.source().replace("#@ process", "#@ proces")
    with pytest.raises(ValueError, match="unknown section 'proces'"):
        helper.body(frozenset(), text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_shellchecks_the_configuration_not_the_checked_body(monkeypatch, fmt):
    """The ~0.3 s of shellcheck on the helper is paid once by this suite, not per render."""
    seen: list[str] = []
    real = shellcheck._check

    def spy(scripts, *args, **kwargs):
        seen.extend(s.text for s in scripts)
        return real(scripts, *args, **kwargs)

    monkeypatch.setattr(shellcheck, "_check", spy)
    monkeypatch.setenv("BOOTSTRAPPER_NO_CACHE", "1")
    build.build(profile.from_mapping({"format": fmt, "lockdown": True, "role": "r"}))
    assert seen and not any("pick_client()" in text for text in seen)
    assert any(text.startswith("#!/bin/sh\n# bootstrapper-imds") and "ROLE='r'" in text
               for text in seen)


def test_a_changed_body_is_checked_whole():
    """Only the exact bytes this suite checked are skipped: a helper whose body differs is
    shellchecked as any script (and its finding reported)."""
    text = build.build(profile.from_mapping({"refresh": False})).raw.decode()
    script = helper_of(text)
    tampered = script.replace('rm -f "$3"', "rm -f $3")
    assert tampered != script and helper.known_head(tampered) is None
    assert helper.known_head(script) is not None
    body = script[len(helper.known_head(script)):]
    missing = "#!/bin/sh\n# bootstrapper-imds x\nIMDS='x'\n" + body  # names the body reads
    assert helper.known_head(missing) is None


def test_lint_finds_a_problem_planted_in_a_tampered_helper(tmp_path):
    """The shell format's gz+b64 here-document is decoded by lint (as install_file does at
    boot) and a body that is not a checked copy is shellchecked, reported at its line."""
    text = build.build(profile.from_mapping({"format": "shell"})).raw.decode()
    script = helper_of(text).replace('rm -f "$3"', "rm -f $3")
    head, opening, rest = text.partition(" gz+b64 <<'BOOTSTRAPPER_EOF'\n")
    tail = rest.split("BOOTSTRAPPER_EOF\n", 1)[1]
    path = tmp_path / "user-data.sh"
    path.write_text(head + opening + gz_b64(script, 76) + "BOOTSTRAPPER_EOF\n" + tail)
    line = head.count("\n") + 1
    result = run_cli("lint", str(path))
    assert f"user-data.sh:{line}: shellcheck: SC2086" in result.stdout, result.stdout
    path.write_text(text)
    assert "SC2086" not in run_cli("lint", str(path)).stdout


def test_examples_stay_under_the_size_ceilings():
    """Issue 15: the minimal profile under 8 KB and the richest under 12 KB, raw, without
    --gzip (benchmarks/size.py prints every option combination)."""
    for fmt in FORMATS:
        minimal = build.build(profile.from_mapping({"format": fmt})).raw
        assert len(minimal) < 8 * 1024, (fmt, len(minimal))
        data = RICHEST | {"format": fmt, "install_missing": fmt == "cloud-config"}
        richest = build.build(profile.from_mapping(data)).raw
        assert len(richest) < 12 * 1024, (fmt, len(richest))



def test_inspect_lists_what_write_files_writes_with_decoded_sizes():
    """The gzip'd helper is not hidden from a reviewer: inspect lists each file write_files
    writes (text and json), with the size once decoded."""
    text = run_cli("render", "examples/web-app.yaml").stdout
    out = run_cli("inspect", "-", stdin=text)
    assert out.returncode == 0, out.stderr
    size = len(helper_of(text).encode())
    assert f"writes /usr/local/sbin/bootstrapper-imds ({helper_of(text).count(chr(10))} " \
        f"lines, gz+b64: {size} bytes decoded)" in out.stdout, out.stdout
    import json

    report = json.loads(run_cli("inspect", "-", "--format", "json", stdin=text).stdout)
    files = report["parts"][0]["files"]
    assert {"path": "/usr/local/sbin/bootstrapper-imds", "size_bytes": size,
            "encoding": "gz+b64"} in files


@pytest.mark.parametrize("code", ["alias exit=:", ": \\", "PATH=/tmp/bin:$PATH",
                                  "chmod() { command chmod 0644 \"$2\"; }", "REFRESH='0'",
                                  "UNKNOWN='1'"])
def test_a_head_with_anything_but_the_configuration_is_not_trusted(code):
    """Review finding: code in the head (an alias, a function, a trailing backslash that
    swallows the body's first line, a name given twice) changes what the checked body
    means, so such a helper is linted whole."""
    script = helper_of(build.build(profile.from_mapping({"lockdown": True})).raw.decode())
    head = helper.known_head(script)
    assert head is not None and head.endswith("REFRESH='1'\n")
    tampered = head + code + "\n" + script[len(head):]
    assert helper.known_head(tampered) is None


def test_a_word_b64_elsewhere_on_the_line_keeps_a_heredoc_script_checked(tmp_path):
    """Review finding: only the command that reads the here-document can decode it; a
    plain script after `echo b64;` is still shellchecked."""
    path = tmp_path / "user-data.sh"
    path.write_text("#!/bin/sh\nset -eu\necho b64; cat >/usr/local/bin/x.sh <<'EOF'\n"
                    "#!/bin/sh\nrm -f $1\nEOF\n")
    result = run_cli("lint", str(path))
    assert "user-data.sh:5:7: shellcheck: SC2086" in result.stdout, result.stdout


def test_a_template_dir_that_still_overrides_the_helper_is_refused(tmp_path):
    """Review finding: the helper is static now; a --template-dir with the old override
    would be ignored, dropping what its author changed: refused, saying what to do."""
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "bootstrapper-imds.sh.j2").write_text("#!/bin/sh\n")
    result = run_cli("render", "--template-dir", str(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert "partials/bootstrapper-imds.sh.j2: the credentials helper is no longer a template" \
        in result.stderr and "bootstrapper-imds.conf.j2" in result.stderr
