"""A command that already succeeded with the same inputs is replayed (bootstrapper/replay.py):
the same bytes, without importing the profile module, YAML or Jinja; and any change to an
input it read makes it run again."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bootstrapper import replay
from support import ROOT, helper_of, run_cli

PROBE = ("import sys\n"
         "from bootstrapper.__main__ import main\n"
         "rc = main(sys.argv[1:])\n"
         "heavy = sorted(m for m in ('bootstrapper.profile', 'yaml', 'jinja2', 'jsonschema')"
         " if m in sys.modules)\n"
         "sys.stderr.write(f'\\nPROBE {rc} {heavy}\\n')\n")


def probe(env: dict, *args: str, stdin: bytes = b"", cwd=ROOT) -> tuple[bytes, str, str]:
    """(stdout, stderr before the probe line, the probe line: exit code and heavy modules)."""
    done = subprocess.run([sys.executable, "-c", PROBE, *args], input=stdin, cwd=cwd,
                          capture_output=True, env={**os.environ, **env}, check=False)
    err = done.stderr.decode()
    head, _, line = err.rpartition("\nPROBE ")
    return done.stdout, head, line.strip()


def test_a_repeated_render_prints_the_same_bytes_without_importing_the_pipeline(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    for fmt in ("cloud-config", "shell"):
        args = ("render", "examples/web-app.yaml", "--format", fmt)
        first = probe(env, *args)
        again = probe(env, *args)
        assert first[2].startswith("0 ['bootstrapper.profile', 'jinja2', 'yaml']"), first
        assert again[:2] == first[:2]
        assert again[2] == "0 []"


def said(out: bytes) -> str:
    """The helper's configuration and code a render's stdout (or a terraform result's
    user_data) carries, decoded: that is where the profile's values are."""
    text = out.decode()
    if text.startswith("{"):
        text = json.loads(text)["user_data"]
    return helper_of(text)


def test_a_repeated_terraform_query_prints_the_same_json_without_importing_it(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    query = json.dumps({"role": "app-role", "lockdown": "true"}).encode()
    first = probe(env, "terraform", stdin=query)
    again = probe(env, "terraform", stdin=query)
    assert first[2].startswith("0 ") and first[2] != "0 []"
    assert again == (first[0], first[1], "0 []")
    other = probe(env, "terraform", stdin=json.dumps({"role": "other"}).encode())
    assert other[2] != "0 []" and "ROLE='other'" in said(other[0])


def test_every_file_the_render_read_is_checked_again(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "first-boot.sh.j2").write_text((ROOT / "templates" / "partials" /
                                                 "first-boot.sh.j2").read_text())
    profile = tmp_path / "p.yaml"
    profile.write_text("role: role-alpha\ntemplate_dir: templates\n")
    args = ("render", str(profile))
    before = probe(env, *args)
    assert "role-alpha" in said(before[0])
    profile.write_text("role: role-beta\ntemplate_dir: templates\n")
    changed = probe(env, *args)
    assert changed[2] != "0 []" and "role-beta" in said(changed[0]) \
        and "role-alpha" not in said(changed[0])
    (templates / "extra.j2").write_text("new file in the template directory\n")
    assert probe(env, *args)[2] != "0 []", "a new file in --template-dir is a change"
    assert probe(env, *args)[2] == "0 []"


def test_a_change_behind_a_symlinked_template_directory_is_seen(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    real = tmp_path / "real-partials"
    real.mkdir()
    partial = real / "first-boot.sh.j2"
    partial.write_text((ROOT / "templates" / "partials" / "first-boot.sh.j2").read_text())
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "partials").symlink_to(real)
    (templates / "loop").symlink_to(templates)  # a link loop must not hang the digest
    args = ("render", "--role", "r", "--template-dir", str(templates))
    assert probe(env, *args)[2] != "0 []"
    assert probe(env, *args)[2] == "0 []"
    partial.write_text(partial.read_text() + "echo changed-behind-the-link\n")
    changed = probe(env, *args)
    assert changed[2] != "0 []" and b"changed-behind-the-link" in changed[0]


def test_the_working_directory_and_the_cache_switch_are_part_of_the_key(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "p.yaml").write_text("role: in-a\n")
    (tmp_path / "b" / "p.yaml").write_text("role: in-b\n")
    assert "in-a" in said(probe(env, "render", "p.yaml", cwd=tmp_path / "a")[0])
    assert "in-b" in said(probe(env, "render", "p.yaml", cwd=tmp_path / "b")[0])
    assert probe({**env, "BOOTSTRAPPER_NO_CACHE": "1"}, "render", "p.yaml",
                 cwd=tmp_path / "a")[2] != "0 []"


def test_stdin_profiles_and_output_files_are_not_replayed(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    for _ in range(2):
        assert probe(env, "render", "-", stdin=b"role: piped\n")[2] != "0 []"
    out = tmp_path / "out.yaml"
    for _ in range(2):
        assert probe(env, "render", "--role", "r", "--output", str(out))[2] != "0 []"
    assert out.read_text().startswith("#cloud-config")


def test_a_refused_render_is_never_stored(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    for _ in range(2):
        result = run_cli("render", "--role", "bad role!", env=env)
        assert result.returncode == 2 and result.stdout == ""
    assert not (tmp_path / "cache" / "bootstrapper" / "commands").exists()


def test_a_fifo_in_a_template_directory_is_skipped_and_edits_beside_it_are_seen(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    templates = tmp_path / "templates" / "partials"
    templates.mkdir(parents=True)
    partial = templates / "first-boot.sh.j2"
    partial.write_text((ROOT / "templates" / "partials" / "first-boot.sh.j2").read_text())
    os.mkfifo(templates / "a-fifo")  # never opened: reading it would block
    args = ("render", "--role", "r", "--template-dir", str(tmp_path / "templates"))
    assert probe(env, *args)[2] != "0 []"
    assert probe(env, *args)[2] == "0 []"
    partial.write_text(partial.read_text() + "echo edited-beside-a-fifo\n")
    assert b"edited-beside-a-fifo" in probe(env, *args)[0]


def test_a_profile_read_from_a_named_pipe_is_rendered_and_not_stored(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    fifo = tmp_path / "profile.yaml"
    os.mkfifo(fifo)
    done = subprocess.Popen([sys.executable, "-m", "bootstrapper", "render", str(fifo)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with open(fifo, "w") as writer:
        writer.write("role: piped-through-a-fifo\n")
    try:
        out, err = done.communicate(timeout=60)  # storing it must not wait for a writer
    finally:
        done.kill()
    assert done.returncode == 0, err
    assert "piped-through-a-fifo" in said(out)
    assert not list((tmp_path / "cache" / "bootstrapper" / "commands").glob("*"))


def test_a_link_planted_under_a_temp_name_is_not_written_through(tmp_path):
    """Whoever could plant a link in the cache directory (a shared XDG_CACHE_HOME, a sudo
    that keeps HOME) must not make a cache write land in another file."""
    where = tmp_path / "commands"
    where.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("untouched\n")
    (where / f".key.{os.getpid()}").symlink_to(victim)
    replay.write(str(where), "key", "cached\n")
    assert victim.read_text() == "untouched\n"
    assert (where / "key").read_text() == "cached\n"
    assert sorted(p.name for p in where.iterdir()) == ["key"]


def test_cache_directories_are_the_users_own(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    probe(env, "render", "examples/web-app.yaml")
    made = sorted((tmp_path / "bootstrapper").iterdir())
    assert [p.name for p in made] == ["commands", "jinja", "rendered", "shellcheck",
                                      "validated"]
    assert {oct(p.stat().st_mode & 0o777) for p in made} == {"0o700"}


def test_another_install_of_the_same_version_keeps_its_own_entries(monkeypatch):
    """A checkout and a wheel (or two worktrees) of one version share ~/.cache: a change in
    one must not be answered by the other's stored output."""
    here = replay.key("render", ["p.yaml"])
    monkeypatch.setattr(replay, "INSTALL", "/elsewhere/site-packages/bootstrapper")
    assert replay.key("render", ["p.yaml"]) != here
