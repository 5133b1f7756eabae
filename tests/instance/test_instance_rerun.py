"""Issue 9, cases 11 and 12: running the whole user-data again replaces the credentials
atomically; hostile profile values reach the instance as data, never as commands."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from bootstrapper.testing import instance
from bootstrapper.testing.imds import Faults, MockImds
from instance_support import (ALLOWED_UID, ALLOWED_USER, APP_UID, APP_USER, ENV_FILE, FORMATS,
                              PEERS, FileWatcher, botocore_in_instance, render)
from support import HOSTILE, hostile

pytestmark = pytest.mark.instance


# --- 11. atomic replacement ----------------------------------------------------------------------


@pytest.mark.parametrize("peer_kind", PEERS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_rerun_replaces_env_file_atomically(vm, peers, fmt, peer_kind):
    peer = peers(peer_kind, Faults(rotate=True) if peer_kind == "mock" else None)
    vm.seed(render(fmt))
    boot = vm.boot()
    assert boot.ok, boot.describe()
    first = vm.read(ENV_FILE)

    watcher = FileWatcher(vm.path(ENV_FILE)).start()
    again = vm.rerun_user_data()  # write_files, runcmd, scripts_user: the whole user-data
    watcher.stop()
    assert again.ok, again.describe()
    last = vm.read(ENV_FILE)
    assert last != first, "the second run did not write new credentials"
    assert watcher.bad == [], f"{len(watcher.bad)} bad reads of {watcher.reads}"
    assert watcher.contents == [first, last]
    assert watcher.reads > 1000
    assert peer.requests and botocore_in_instance(vm)[1] == last.split("\n")[0].split("=")[1]


def test_watcher_sees_a_file_rewritten_in_place(tmp_path):
    """The check above can fail: a writer that truncates and rewrites is caught."""
    target = tmp_path / "credentials.env"
    lines = "".join(f"echo {key}=value; " for key in
                    ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                     "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION", "AWS_DEFAULT_REGION"))
    script = f'umask 227; for i in $(seq 2000); do {{ {lines}}} >"$1"; done'
    subprocess.run(["sh", "-c", script, "sh", str(target)], check=True)
    import os

    watcher = FileWatcher(target, uid=os.getuid()).start()
    subprocess.run(["sh", "-c", script, "sh", str(target)], check=True)
    watcher.stop()
    assert any(b.startswith("incomplete") for b in watcher.bad), watcher.reads


# --- 12. hostile values --------------------------------------------------------------------------

# Every var goes through the sh filter into both blocks of the user's template; the script
# prints each one, as data, into a file. Nothing else may run.
TEMPLATES = {
    "shell": "user-data.sh.j2",
    "cloud-config": "cloud-config.yaml.j2",
}
BLOCK = ("{\n{% for key in vars | sort %}printf '%s\\n' {{ vars[key] | sh }}\n{% endfor %}"
         "} >/var/tmp/VALUES\n")
# Valid but unusual: every character these fields allow that means something to a shell.
ODD_PROFILE = {
    "role": "r+=,.@_-1",
    "env_file": "/run/boot-strapper/-n+x@y_z.env",
    "credential_process_file": "/run/boot-strapper/-e@cp+.json",
    "allow_users": [ALLOWED_USER],
}
CANARY = "/tmp/canary"
values = st.lists(hostile.filter(lambda v: "\x00" not in v), min_size=6, max_size=6)


def _template(tmp_path, fmt: str) -> str:
    path = tmp_path / f"hostile-{fmt}.j2"
    blocks = "".join(
        f"{{% block {name} %}}\n{BLOCK.replace('VALUES', name)}{{% endblock %}}\n"
        for name in ("before_credentials", "after_credentials"))
    path.write_text(f'{{% extends "{TEMPLATES[fmt]}" %}}\n{blocks}')
    return str(path)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=2, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(generated=values)
def test_hostile_values_stay_data(image_root, tmp_path, fmt, generated):
    hostile_values = list(HOSTILE) + generated
    variables = {f"v{i:02d}": value for i, value in enumerate(hostile_values)}
    user_data = render(fmt, template=_template(tmp_path, fmt), vars=variables, lockdown=True,
                       gzip=True, **ODD_PROFILE)  # cloud-init decompresses it
    with instance.SimulatedInstance(image_root) as vm, \
            MockImds(addresses=vm.imds_addresses, netns=vm.netns) as imds:
        imds.instance.role = ODD_PROFILE["role"]
        vm.add_user(APP_USER, APP_UID)
        vm.add_user(ALLOWED_USER, ALLOWED_UID)
        vm.seed(user_data)
        boot = vm.boot()
        assert boot.ok, boot.describe()
        assert not vm.exists(CANARY), "a hostile value ran as a command"
        expected = "".join(variables[key] + "\n" for key in sorted(variables))
        for block in ("before_credentials", "after_credentials"):
            assert vm.path(f"/var/tmp/{block}").read_bytes().decode() == expected
        assert vm.exists(ODD_PROFILE["env_file"]) and vm.exists(
            ODD_PROFILE["credential_process_file"])
        assert botocore_in_instance(vm, ODD_PROFILE["env_file"])[0] == "env"
        paths = {r.path for r in imds.requests}
        assert f"/latest/meta-data/iam/security-credentials/{ODD_PROFILE['role']}" in paths
        assert "not found" not in vm.output_log() and "syntax error" not in vm.output_log()
