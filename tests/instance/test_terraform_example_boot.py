"""examples/terraform boots as written (issue 15): on a stock image — no user `app`, no
app.service — the exact user-data the example's query gives runs to the end. Its own
cloud-config part creates the user and the unit; bootstrapper writes the credentials for
that user and starts the unit after them."""

from __future__ import annotations

import base64
import json
import os

import pytest
from support import ROOT, run_cli

from bootstrapper.testing import instance
from instance_support import ENV_FILE, Peer, error_lines

pytestmark = pytest.mark.instance

EXAMPLE = ROOT / "examples" / "terraform"
# What Terraform evaluates main.tf's module block to (path.module is "." at the root);
# tests/delivery/test_terraform_example.py checks the module sends these keys.
QUERY = {"format": "mime", "role": "app-role", "app_user": "app", "service": "app",
         "lockdown": "true", "parts": json.dumps(["./app.yaml"]), "gzip": "true"}


def example_user_data() -> bytes:
    done = run_cli("terraform", stdin=json.dumps(QUERY), cwd=EXAMPLE)
    assert done.returncode == 0, done.stderr
    return base64.b64decode(json.loads(done.stdout)["user_data_base64"])


def test_the_terraform_example_boots_on_a_stock_image(image_root):
    with instance.SimulatedInstance(image_root) as vm:
        assert "\napp:" not in "\n" + vm.read("/etc/passwd")  # a stock image
        peer = Peer(vm, "mock", role="app-role").start()
        try:
            vm.seed(example_user_data())
            boot = vm.boot()
        finally:
            peer.stop()
        assert boot.ok, boot.describe()
        assert vm.failed_scripts() == [], vm.output_log()
        assert error_lines(vm) == []
        app_uid = int(vm.run(["id", "-u", "app"]).stdout)
        app_gid = int(vm.run(["id", "-g", "app"]).stdout)
        info = os.stat(vm.path(ENV_FILE))  # root's, the app's own group, read-only (issue 18)
        assert (info.st_mode & 0o777, info.st_uid, info.st_gid) == (0o440, 0, app_gid)
        assert ("multi-user.target", "app.service") in vm.enabled_units()
        drop_ins = "".join(p.read_text() for p in
                           sorted(vm.path("/etc/systemd/system/app.service.d").glob("*.conf")))
        assert f"EnvironmentFile={ENV_FILE}" in drop_ins
        started = vm.start_unit("app.service")
        assert started.returncode == 0, started.output
        # The app's user reads its credentials; IMDS itself is root's (lockdown).
        assert "AWS_SESSION_TOKEN=" in vm.run(["cat", ENV_FILE], uid=app_uid).stdout
        token = vm.run(["curl", "-sS", "--max-time", "5", "-X", "PUT", "-H",
                        "X-aws-ec2-metadata-token-ttl-seconds: 60",
                        "http://169.254.169.254/latest/api/token"], uid=app_uid)
        assert token.returncode != 0
