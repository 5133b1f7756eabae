"""A Terraform query that differs from one already answered only in the helper's
configuration values is answered from that result (bootstrapper/reconfigure.py): byte for
byte what a full render prints, refused whenever a full render would refuse, and the first
data source of a shape renders while the others wait for it."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bootstrapper import reconfigure, replay
from bootstrapper.errors import BootstrapperError
from bootstrapper.profile import from_query
from bootstrapper.terraform import printed, result
from support import ROOT, helper_of

# Shapes a plan's launch templates take: what stays the same while the role changes.
SHAPES = {
    "defaults": {},
    "lockdown-refresh": {"lockdown": "true", "refresh": "true", "app_user": "app"},
    "shell-gzip": {"format": "shell", "gzip": "true", "lockdown": "true",
                   "firewall": "nftables"},
    "process-service": {"credential_process_file": "/etc/app/aws-creds.json",
                        "service": "app.service", "refresh": "true"},
}


def full(query: dict) -> bytes | str:
    """What a full render answers: the data source's stdout, or its error."""
    try:
        return printed(result(query))
    except BootstrapperError as err:
        return str(err)


def remembered(query: dict) -> bytes:
    out = full(query)
    assert isinstance(out, bytes), out
    profile = from_query(query)
    reconfigure.remember(query, profile, out, replay.inputs_of(profile, None))
    return out


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("BOOTSTRAPPER_NO_CACHE", raising=False)
    return tmp_path


def ask(query: dict) -> bytes | None:
    """What the data source prints for `query` without rendering, or None."""
    answered = reconfigure.answer(json.dumps(query).encode())
    return None if answered is None else answered[0]


@pytest.mark.parametrize("shape", SHAPES)
def test_another_role_is_answered_byte_for_byte_as_a_full_render(cache, shape):
    remembered({**SHAPES[shape], "role": "first-role"})
    query = {**SHAPES[shape], "role": "second-role"}
    answered = ask(query)
    assert answered is not None
    assert answered == full(query)
    files = reconfigure.answer(json.dumps(query).encode())[1]  # what a replay re-checks
    assert files == replay.inputs_of(from_query(query), None)
    assert "ROLE='second-role'" in helper_of(json.loads(answered)["user_data"])


# Values a rule book accepts, and for each field some it refuses or render refuses.
VALID = {
    "role": st.text(st.sampled_from("abcXYZ019+=,.@_-"), min_size=1, max_size=64),
    "app_user": st.from_regex(r"[a-z_][a-z0-9_.-]{0,31}", fullmatch=True),
    "imds_endpoint": st.sampled_from(["http://169.254.169.254", "http://[fd00:ec2::254]"]),
    "token_ttl": st.integers(1, 21600).map(str),
    "deadline": st.integers(1, 3600).map(str),
    "role_wait": st.integers(0, 600).map(str),
}
HOSTILE = {
    "role": ["AKIAIOSFODNN7EXAMPLE", "ghp_" + "a" * 36, "x" * 65, "", "a b", "é", "a'b"],
    "app_user": ["root", "1bad", "Ünï", "a" * 33, "a;b", ""],
    "imds_endpoint": ["http://10.0.0.1", "https://169.254.169.254", "ftp://x", ""],
    "token_ttl": ["0", "21601", "", "1e3", " 60", "0x10", "-1"],
    "deadline": ["0", "", "x"],
    "role_wait": ["-1", "", "1.5"],
}


@st.composite
def configurations(draw):
    """Valid values for every CONFIG_ONLY field, and half the time one hostile value."""
    values = {field: draw(strategy) for field, strategy in VALID.items()}
    if draw(st.booleans()):
        field = draw(st.sampled_from(sorted(HOSTILE)))
        values[field] = draw(st.sampled_from(HOSTILE[field]))
    return values


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=st.sampled_from(sorted(SHAPES)), values=configurations())
def test_any_configuration_values_get_the_full_renders_answer_or_none(cache, shape, values):
    """Generated values, hostile and plain: the answer is the full render's bytes, or None
    (the full path then runs and prints its own message); never different bytes, and never
    an answer where the full render refuses."""
    base = {**SHAPES[shape], "role": "base-role"}
    remembered(base)
    query = {**base, **values}
    expected, answered = full(query), ask(query)
    event("refused" if isinstance(expected, str) else
          "answered" if answered is not None else "left to the full render")
    if isinstance(expected, str):
        assert answered is None, expected
    else:
        assert answered == expected


def test_a_role_that_looks_like_a_token_is_left_to_the_full_render(cache):
    remembered({"role": "plain"})
    query = {"role": "ghp_" + "a" * 36}
    assert ask(query) is None
    assert "hardcoded-secret" in full(query)


@pytest.mark.parametrize("field, values", [
    ("role", ("one", "two")), ("app_user", ("alpha", "beta")),
    ("imds_endpoint", ("http://169.254.169.254", "http://[fd00:ec2::254]")),
    ("token_ttl", ("120", "240")), ("deadline", ("30", "600")), ("role_wait", ("0", "45")),
])
@pytest.mark.parametrize("fmt", ["cloud-config", "shell"])
def test_each_configuration_only_field_reaches_nothing_but_its_configuration_line(
        field, values, fmt):
    """CONFIG_ONLY's claim, checked on the built-in templates: two renders that differ in
    one such field differ only inside the helper, and there only in that field's line."""
    outs = [result({"format": fmt, "lockdown": "true", "refresh": "true",
                    "credential_process_file": "/etc/app/c.json", "service": "app",
                    field: value})["user_data"] for value in values]
    helpers = [helper_of(text) for text in outs]
    name = reconfigure.CONFIG_ONLY[field]
    changed = [(a, b) for a, b in zip(*(h.split("\n") for h in helpers), strict=True)
               if a != b]
    assert len(changed) == 1 and all(line.startswith(name + "=") for line in changed[0])
    blobs = [reconfigure._helper_in(text) for text in outs]
    assert all(blobs)
    assert outs[0].replace(blobs[0][3], "") == outs[1].replace(blobs[1][3], "")


def test_another_field_is_another_shape(cache):
    remembered({"role": "one", "env_file": "/etc/app/one.env"})
    assert ask({"role": "two", "env_file": "/etc/app/two.env"}) is None
    assert ask({"role": "two", "env_file": "/etc/app/one.env"}) is not None


def test_nothing_is_kept_for_a_user_template_or_with_the_cache_off(cache, monkeypatch,
                                                                    tmp_path):
    template = tmp_path / "t.yaml.j2"
    template.write_text('{% extends "cloud-config.yaml.j2" %}\n')
    remembered({"role": "one", "template": str(template)})
    assert ask({"role": "two", "template": str(template)}) is None
    monkeypatch.setenv("BOOTSTRAPPER_NO_CACHE", "1")
    remembered({"role": "one"})
    monkeypatch.delenv("BOOTSTRAPPER_NO_CACHE")
    assert ask({"role": "two"}) is None


def test_a_changed_built_in_template_is_a_miss(cache, monkeypatch, tmp_path):
    """The stored result is checked against the bytes of every file it was made from."""
    remembered({"role": "one"})
    entry_files = [path for path, _ in replay.lookup(
        reconfigure.shape_key({"role": "x"}))["files"]]
    assert any(path.endswith("templates") for path in entry_files)
    monkeypatch.setattr(replay, "digest", lambda path: "changed")
    assert ask({"role": "two"}) is None


def test_a_data_source_waits_for_the_first_of_its_shape_but_not_forever(cache, monkeypatch):
    query = {"role": "waiting"}
    key = reconfigure.shape_key(query)
    where = replay.directory()
    os.makedirs(where, exist_ok=True)
    held = os.open(os.path.join(where, f".{key}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(held, fcntl.LOCK_EX)  # another data source of this shape is rendering
    monkeypatch.setattr(reconfigure, "WAIT_S", 0.3)
    start = time.monotonic()
    assert ask(query) is None
    assert time.monotonic() - start >= 0.3
    os.close(held)
    start = time.monotonic()
    assert ask(query) is None  # the first of its shape: no wait, it renders
    assert time.monotonic() - start < 0.3
    reconfigure.release()
    assert ask(query) is None and time.monotonic() - start < 0.3  # released: no wait
    reconfigure.release()


def test_ten_data_sources_at_once_render_once(tmp_path):
    """As Terraform starts them: ten queries of one shape, an empty cache. Each prints its
    own role; only one rendered (the validation cache keeps one verdict per rendered
    output)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("BOOTSTRAPPER_NO_CACHE", None)

    def one(n: int) -> str:
        query = json.dumps({"role": f"role-{n}", "lockdown": "true"}).encode()
        done = subprocess.run([sys.executable, "-m", "bootstrapper", "terraform"], input=query,
                              capture_output=True, env=env, cwd=ROOT, check=False)
        assert done.returncode == 0, done.stderr
        return helper_of(json.loads(done.stdout)["user_data"])

    with ThreadPoolExecutor(max_workers=10) as pool:
        helpers = list(pool.map(one, range(10)))
    assert all(f"ROLE='role-{n}'" in h for n, h in enumerate(helpers))
    assert len(os.listdir(tmp_path / "bootstrapper" / "validated")) == 1


def test_one_process_answering_twice_never_waits_for_itself(cache, monkeypatch):
    """main() called again in one process (a library caller, these tests): the first run's
    lock is released when it ends, even refused (nothing stored), so the next one of its
    shape renders at once instead of waiting for it."""
    import io

    from bootstrapper.__main__ import main

    outs = []
    for query, code in (({"role": "first", "token_ttl": "0"}, 2), ({"role": "second"}, 0)):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(
            json.dumps(query).encode())))
        sink = io.BytesIO()
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(sink))
        start = time.monotonic()
        assert main(["terraform"]) == code
        assert time.monotonic() - start < reconfigure.WAIT_S
        outs.append(sink.getvalue())
    assert outs == [b"", full({"role": "second"})]


def test_a_query_that_cannot_be_answered_so_waits_for_nobody(cache, monkeypatch, tmp_path):
    """A user template (or a refused query) is rendered as usual at once, even while
    another data source of its shape holds the lock."""
    template = tmp_path / "t.yaml.j2"
    template.write_text('{% extends "cloud-config.yaml.j2" %}\n')
    monkeypatch.setattr(reconfigure, "WAIT_S", 2.0)
    for query in ({"role": "one", "template": str(template)}, {"role": "one", "deadline": "0"}):
        where = replay.directory()
        os.makedirs(where, exist_ok=True)
        held = os.open(os.path.join(where, f".{reconfigure.shape_key(query)}.lock"),
                       os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(held, fcntl.LOCK_EX)
        start = time.monotonic()
        assert ask(query) is None
        assert time.monotonic() - start < 1.0
        os.close(held)


def test_a_query_answered_so_is_a_plain_replay_next_time(cache, monkeypatch):
    import io

    from bootstrapper.__main__ import main

    remembered({"role": "first"})
    query = json.dumps({"role": "second"}).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(query)))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO()))
    assert main(["terraform"]) == 0
    stored = replay.lookup(replay.key("terraform", [], query))
    assert stored is not None and stored["stdout"].encode("latin-1") == full({"role": "second"})
