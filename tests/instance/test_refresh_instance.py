"""Issue 4 on the simulated instance: the refresh unit rewrites both credential files whole,
comes back after a reboot, and the --service drop-in passes `systemd-analyze verify`.

The mock hands out new keys on every credentials request (Faults(rotate=True)); a lifetime
under the helper's 30-minute refresh margin makes every `refresh` fetch.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from instance_support import (
    APP_UID,
    BOTH_IMAGES,
    ENV_FILE,
    FORMATS,
    FileWatcher,
    env_text,
    parse_env,
    render,
    temp_leftovers,
)

from bootstrapper.testing.imds import Faults

pytestmark = pytest.mark.instance

PROCESS_FILE = "/run/bootstrapper/app.json"
AWS_CONFIG = "/run/bootstrapper/aws-config"  # the default: next to the process file
UNIT = "bootstrapper-credentials.service"
SHORT, LONG = timedelta(minutes=20), timedelta(hours=6)  # the helper refreshes under 30 min
COMPLETE_JSON = re.compile(
    r'\{"Version": 1, "AccessKeyId": "ASIA[A-Z0-9]{16}", "SecretAccessKey": "[A-Za-z0-9+/=]+",'
    r' "SessionToken": "[A-Za-z0-9+/=]+", "Expiration": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}\n')


def env_for(peer, creds: dict[str, str]) -> str:
    region = peer.mock.instance.region
    return env_text({"AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
                     "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                     "AWS_SESSION_TOKEN": creds["Token"],
                     "AWS_CREDENTIAL_EXPIRATION": creds["Expiration"],
                     "AWS_REGION": region, "AWS_DEFAULT_REGION": region})


def json_for(creds: dict[str, str]) -> str:
    document = {"Version": 1, "AccessKeyId": creds["AccessKeyId"],
                "SecretAccessKey": creds["SecretAccessKey"], "SessionToken": creds["Token"],
                "Expiration": creds["Expiration"]}
    return json.dumps(document) + "\n"  # the helper's layout: ", " and ": "


def boot_with_refresh(vm, peers, fmt: str, **options):
    peer = peers("mock", Faults(rotate=True))
    peer.mock.instance.lifetime = SHORT
    vm.seed(render(fmt, credential_process_file=PROCESS_FILE, **options))
    boot = vm.boot()
    assert boot.ok, boot.describe()
    return peer


def botocore_process_key(vm) -> tuple[str, str]:
    """(method, access key) as Debian's botocore, run by the app user, loads them through
    the generated AWS config's credential_process."""
    done = vm.sh(f"AWS_CONFIG_FILE={AWS_CONFIG} HOME=/nonexistent exec python3 -c '"
                 "import botocore.session as b; c = b.get_session().get_credentials();"
                 " print(c.method, c.get_frozen_credentials().access_key)'", uid=APP_UID)
    assert done.returncode == 0, done.stderr
    method, key = done.stdout.split()
    return method, key


# --- the refresh unit rewrites both files, never partly ------------------------------------------


@BOTH_IMAGES
@pytest.mark.parametrize("fmt", FORMATS)
def test_refresh_unit_rewrites_both_files_whole(vm, peers, fmt):
    peer = boot_with_refresh(vm, peers, fmt)
    first_env, first_json = vm.read(ENV_FILE), vm.read(PROCESS_FILE)
    assert COMPLETE_JSON.fullmatch(first_json) and not COMPLETE_JSON.fullmatch(first_json[:-9])
    served_at_boot = len(peer.mock.credentials)

    runs = 5
    watchers = [FileWatcher(vm.path(ENV_FILE)).start(),
                FileWatcher(vm.path(PROCESS_FILE), pattern=COMPLETE_JSON).start()]
    for _ in range(runs):  # the unit's ExecStart, as the timer would start it
        stage = vm.start_unit(UNIT)
        assert stage.returncode == 0, stage.output
    for watcher in watchers:
        watcher.stop()

    served = peer.mock.credentials[served_at_boot - 1:]
    assert len(served) == runs + 1, "refresh did not fetch on every run"
    env_watch, json_watch = watchers
    for watcher in watchers:
        assert watcher.bad == [], f"{len(watcher.bad)} bad reads of {watcher.reads}: " \
            f"{watcher.bad}"
        assert watcher.reads > 1000
    assert env_watch.contents == [env_for(peer, creds) for creds in served]
    assert json_watch.contents == [json_for(creds) for creds in served]
    assert env_watch.contents[0] == first_env and json_watch.contents[0] == first_json

    newest = peer.mock.last_credentials
    assert parse_env(vm.read(ENV_FILE))["AWS_ACCESS_KEY_ID"] == newest["AccessKeyId"]
    assert json.loads(vm.read(PROCESS_FILE))["AccessKeyId"] == newest["AccessKeyId"]
    assert temp_leftovers(vm) == []
    assert botocore_process_key(vm) == ("custom-process", newest["AccessKeyId"])


def test_refresh_unit_fetches_only_near_expiration(vm, peers):
    """The other side of the test above: keys valid for hours are left alone, so the fetches
    there were the lifetime's doing."""
    peer = boot_with_refresh(vm, peers, "shell")
    peer.mock.instance.lifetime = LONG
    assert vm.start_unit(UNIT).returncode == 0  # 20 minutes left: fetches 6-hour keys
    served, files = len(peer.mock.credentials), (vm.read(ENV_FILE), vm.read(PROCESS_FILE))
    assert vm.start_unit(UNIT).returncode == 0
    assert len(peer.mock.credentials) == served
    assert (vm.read(ENV_FILE), vm.read(PROCESS_FILE)) == files


# --- reboot -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_reboot_rewrites_the_files(vm, peers, fmt):
    """/run is empty after a reboot; cloud-init does not run the user-data again (same
    instance id); the credentials unit writes both files again, with new keys."""
    peer = boot_with_refresh(vm, peers, fmt)
    first = vm.read(ENV_FILE)
    boot = vm.reboot()
    assert boot.ok, boot.describe()
    assert [u.name for u in boot.units] == [UNIT]
    assert vm.output_log().count("credentials for role") == 1  # only the first boot's
    newest = peer.mock.last_credentials
    assert vm.read(ENV_FILE) == env_for(peer, newest) != first
    assert vm.read(PROCESS_FILE) == json_for(newest)


def test_reboot_without_refresh_leaves_no_files(vm, peers):
    """--no-refresh: nothing is enabled, so after the reboot the files are gone: the ones in
    the test above were the unit's doing."""
    boot_with_refresh(vm, peers, "shell", refresh=False)
    assert vm.exists(ENV_FILE)
    boot = vm.reboot()
    assert boot.ok, boot.describe()
    assert boot.units == [] and vm.enabled_units() == []
    assert not vm.exists(ENV_FILE) and not vm.exists(PROCESS_FILE)


# --- --service: the app's drop-in -----------------------------------------------------------------

WEB_UNIT = """[Unit]
Description=A web app already in the image
[Service]
User=app
ExecStart=/usr/bin/python3 -m http.server 8080
[Install]
WantedBy=multi-user.target
"""
DROPIN = "/etc/systemd/system/web.service.d/bootstrapper.conf"


@pytest.mark.parametrize("credentials", ["env-file", "credential-process"])
def test_service_dropin_verifies(vm, peers, credentials):
    vm.write("/etc/systemd/system/web.service", WEB_UNIT)  # in the image, as in an AMI
    peer = peers("mock")
    extra = {"credential_process_file": PROCESS_FILE} if credentials != "env-file" else {}
    vm.seed(render("shell", service="web", **extra))
    boot = vm.boot()
    assert boot.ok, boot.describe()
    assert peer.mock.credentials

    dropin = vm.read(DROPIN)
    assert re.search(r"^After=bootstrapper-credentials\.service$", dropin, re.MULTILINE)
    assert re.search(r"^Requires=bootstrapper-credentials\.service$", dropin, re.MULTILINE)
    if credentials == "env-file":
        assert re.search(rf"^EnvironmentFile={re.escape(ENV_FILE)}$", dropin, re.MULTILINE)
    else:
        assert re.search(rf"^Environment=AWS_CONFIG_FILE={re.escape(AWS_CONFIG)}$", dropin,
                         re.MULTILINE)
    units = ["web.service", UNIT, "bootstrapper-credentials.timer"]
    verify = vm.run(["systemd-analyze", "verify", *units])
    assert (verify.returncode, verify.stderr) == (0, ""), verify.stderr

    # verify reads the drop-in: without the unit it requires, it fails and says so.
    vm.path(f"/etc/systemd/system/{UNIT}").unlink()
    broken = vm.run(["systemd-analyze", "verify", "web.service"])
    assert broken.returncode != 0 and f"{UNIT} not found" in broken.stderr, broken.stderr
