"""Credentials that outlive the first start (issue 4), proven with real botocore.

The real rendered helper runs `fetch`/`refresh` on this machine against the mock IMDSv2 on
loopback (only those subcommands: nothing here touches the host's firewall or units); an
app process running as uid 65534 reads the result through the generated AWS config.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from bootstrapper import build, profile
from bootstrapper.testing.imds import Faults, Instance, MockImds
from support import helper_of

# The app user: a group of its own (the helper refuses a shared one such as nobody's nogroup).
APP_USER = "bst-app"


def _app_ids() -> tuple[int, int]:
    import pwd

    try:
        entry = pwd.getpwnam(APP_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", APP_USER], check=True, capture_output=True)
        entry = pwd.getpwnam(APP_USER)
    return entry.pw_uid, entry.pw_gid
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (chown to the app user)")


@pytest.fixture
def shared_dir():
    """A root-owned 0755 directory the app user can traverse (pytest's tmp_path is 0700)."""
    # Not under /tmp: the helper refuses any ancestor others can write (sticky or not).
    path = Path(tempfile.mkdtemp(prefix="bootstrapper-refresh-", dir="/run"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def helper_script(directory: Path, url: str, **options) -> Path:
    """The helper exactly as the cloud-config would install it, configured for `url`."""
    _app_ids()
    data = {"imds_endpoint": url, "allow_custom_endpoint": True, "app_user": APP_USER,
            "env_file": str(directory / "creds" / "app.env"), "deadline": 10, **options}
    content = helper_of(build.build(profile.from_mapping(data)).raw.decode())
    script = directory / "bootstrapper-imds"
    script.write_text(content)
    return script


def run_helper(script: Path, command: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": path} if path else None
    return subprocess.run(["dash", str(script), command], capture_output=True, text=True,
                          timeout=60, check=False, env=env)


def shim_path(directory: Path, shims: dict[str, str], drop: tuple[str, ...] = ()) -> str:
    """A PATH of one directory: links to every program on this PATH except `drop`, and the
    `shims` (name: sh script body) in place of the real ones."""
    bin_dir = directory / "shim-bin"
    bin_dir.mkdir()
    for entry in reversed(os.environ["PATH"].split(os.pathsep)):
        for program in Path(entry).glob("*") if Path(entry).is_dir() else ():
            if program.name not in drop and not program.is_dir():
                (bin_dir / program.name).unlink(missing_ok=True)
                (bin_dir / program.name).symlink_to(program)
    for name, body in shims.items():
        (bin_dir / name).unlink(missing_ok=True)
        (bin_dir / name).write_text("#!/bin/sh\n" + body)
        (bin_dir / name).chmod(0o755)
    return str(bin_dir)


APP = textwrap.dedent("""
    import sys, botocore.session
    creds = botocore.session.Session().get_credentials()
    print(creds.get_frozen_credentials().access_key, flush=True)
    sys.stdin.readline()  # the test rewrites the files, then says go
    print(creds.get_frozen_credentials().access_key, flush=True)
""")


def start_app(config: Path) -> subprocess.Popen:
    """The app: the app user, no AWS_* variables, only AWS_CONFIG_FILE (as the drop-in sets)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(config), HOME="/nonexistent")
    uid, gid = _app_ids()
    return subprocess.Popen(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                             sys.executable, "-c", APP], env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_botocore_renews_through_credential_process(shared_dir):
    # 12 minutes: inside botocore's 15-minute advisory window, outside the 10-minute
    # mandatory one, as a real credential nears its Expiration.
    imds = MockImds(Faults(rotate=True), instance=Instance(lifetime=timedelta(minutes=12)))
    with imds:
        script = helper_script(shared_dir, imds.url,
                               credential_process_file=str(shared_dir / "creds" / "process.json"))
        first = run_helper(script, "fetch")
        assert first.returncode == 0, first.stderr
        config = shared_dir / "creds" / "aws-config"
        app = start_app(config)
        try:
            assert app.stdout.readline().strip() == imds.credentials[0]["AccessKeyId"]
            second = run_helper(script, "fetch")  # what the refresh timer does
            assert second.returncode == 0, second.stderr
            app.stdin.write("go\n")
            app.stdin.flush()
            renewed = app.stdout.readline().strip()
        finally:
            out, err = app.communicate(timeout=30)
        assert renewed == imds.credentials[-1]["AccessKeyId"] != imds.credentials[0]["AccessKeyId"], err


def test_files_are_private_to_the_app_user_and_well_formed(shared_dir):
    with MockImds() as imds:
        script = helper_script(shared_dir, imds.url,
                               credential_process_file=str(shared_dir / "creds" / "process.json"))
        assert run_helper(script, "fetch").returncode == 0
        served = imds.credentials[-1]
    creds = shared_dir / "creds"
    for name in ("app.env", "process.json", "aws-config"):
        info = (creds / name).stat()
        # Root's, readable by the app user's group only: the app cannot rewrite or back-date
        # them (issue 18: it owned them 0600 and could).
        assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == \
            (0o440, 0, _app_ids()[1]), name
    document = json.loads((creds / "process.json").read_text())
    assert document == {"Version": 1, "AccessKeyId": served["AccessKeyId"],
                        "SecretAccessKey": served["SecretAccessKey"],
                        "SessionToken": served["Token"], "Expiration": served["Expiration"]}
    config = (creds / "aws-config").read_text()
    assert f"credential_process = cat {creds / 'process.json'}" in config
    assert "region = eu-central-1" in config
    assert not list(creds.glob(".*")), "a temporary file was left behind"


@pytest.mark.parametrize("lifetime,asks_imds", [(timedelta(hours=6), False),
                                                (timedelta(minutes=20), True)])
def test_refresh_asks_imds_only_near_expiration(shared_dir, lifetime, asks_imds):
    with MockImds(Faults(rotate=True), instance=Instance(lifetime=lifetime)) as imds:
        script = helper_script(shared_dir, imds.url)
        assert run_helper(script, "refresh").returncode == 0  # no file yet: fetches
        before = len(imds.requests)
        result = run_helper(script, "refresh")
        assert result.returncode == 0, result.stderr
        assert (len(imds.requests) > before) is asks_imds
        env = (shared_dir / "creds" / "app.env").read_text()
        assert f"AWS_ACCESS_KEY_ID={imds.credentials[-1]['AccessKeyId']}\n" in env


def test_refuses_a_directory_other_users_can_write(shared_dir):
    loose = shared_dir / "loose"
    loose.mkdir()
    loose.chmod(0o777)
    with MockImds() as imds:
        script = helper_script(shared_dir, imds.url, env_file=str(loose / "app.env"))
        result = run_helper(script, "fetch")
    assert result.returncode != 0
    assert "writable by group or others" in result.stderr
    assert not (loose / "app.env").exists()


@pytest.mark.parametrize("suffix", [".", "+"])
def test_selinux_and_acl_marks_do_not_hide_a_loose_directory(shared_dir, suffix):
    """GNU ls adds `.` (SELinux context) or `+` (ACL) after the mode on RHEL-likes: a
    directory others can write is still refused, a safe one still accepted."""
    real_ls = shutil.which("ls")
    ls = f'{real_ls} "$@" | sed "s/^\\(d[-rwxsStT]\\{{9\\}}\\) /\\1{suffix} /"\n'
    path = shim_path(shared_dir, {"ls": ls})
    loose = shared_dir / "loose"
    loose.mkdir()
    loose.chmod(0o777)
    assert subprocess.run(["sh", "-c", f"ls -ldn {loose}"], env={"PATH": path},
                          capture_output=True, text=True).stdout.startswith(f"drwxrwxrwx{suffix} ")
    with MockImds() as imds:
        refused = run_helper(helper_script(shared_dir, imds.url, env_file=str(loose / "a.env")),
                             "fetch", path)
        accepted = run_helper(helper_script(shared_dir, imds.url), "fetch", path)
    assert refused.returncode != 0 and "writable by group or others" in refused.stderr
    assert accepted.returncode == 0, accepted.stderr


def test_no_role_backs_off_while_it_waits(shared_dir):
    """Early-boot 404s are retried for --role-wait with growing pauses (0.1, 0.2, 0.5, 1 s),
    not ten times a second."""
    with MockImds(Faults(no_role=True)) as imds:
        result = run_helper(helper_script(shared_dir, imds.url, role_wait=3), "fetch")
        gets = [r for r in imds.requests if r.method == "GET"]
    assert result.returncode != 0 and "no IAM role is attached" in result.stderr
    assert 4 <= len(gets) <= 8, len(gets)


def test_refresh_redoes_a_fetch_that_stopped_half_way(shared_dir):
    """Fresh env file, but the credential_process file is gone: refresh writes it again."""
    with MockImds() as imds:
        script = helper_script(shared_dir, imds.url,
                               credential_process_file=str(shared_dir / "creds" / "process.json"))
        assert run_helper(script, "fetch").returncode == 0
        (shared_dir / "creds" / "process.json").unlink()
        before = len(imds.requests)
        result = run_helper(script, "refresh")
        assert result.returncode == 0, result.stderr
        assert len(imds.requests) > before
    assert (shared_dir / "creds" / "process.json").exists()


def test_wget_without_method_is_not_used(shared_dir):
    """GNU Wget 1.14 (Amazon Linux 2, CentOS 7) has no --method: refused before any request."""
    wget = ('case $1 in --version) echo "GNU Wget 1.14 built on linux-gnu." ;;\n'
            '--help) echo "  -O,  --output-document=FILE" ;;\n*) exit 2 ;; esac\n')
    path = shim_path(shared_dir, {"wget": wget}, drop=("curl",))
    with MockImds() as imds:
        result = run_helper(helper_script(shared_dir, imds.url), "fetch", path)
        assert imds.requests == []
    assert result.returncode != 0
    assert "neither curl nor GNU Wget 1.15+ is installed" in result.stderr


def test_a_client_that_rejects_its_options_stops_at_once(shared_dir):
    """curl exiting 2 (its command line refused) is not "no answer": no retries until the
    deadline, a message that says what to install."""
    path = shim_path(shared_dir, {"curl": "echo 'curl: option -H: unknown' >&2; exit 2\n"})
    with MockImds() as imds:
        result = run_helper(helper_script(shared_dir, imds.url), "fetch", path)
    assert result.returncode != 0
    assert "curl rejected its options for PUT /latest/api/token (exit 2)" in result.stderr
    assert "deadline" not in result.stderr
