"""Helpers for the simulated-instance tests: render, the IMDS peers, and what tests assert on."""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from pathlib import Path

import pytest

from bootstrapper import build, profile
from bootstrapper.testing import image, instance, moto
from bootstrapper.testing.imds import Faults, Instance, MockImds

FORMATS = ("shell", "cloud-config")
PEERS = ("mock", "moto")
APP_USER, APP_UID = "app", 1000  # owns the credential files
ALLOWED_USER, ALLOWED_UID = "monitor", 1001  # --allow-user in the lockdown cases
NOBODY = 65534
V4, V6 = "http://169.254.169.254", "http://[fd00:ec2::254]"
ENV_FILE = "/run/bootstrapper/credentials.env"
ENV_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION", "AWS_DEFAULT_REGION")
ERROR_LINE = re.compile(r"^bootstrapper-imds: error: .+$", re.M)
MOTO = Path(sys.executable).with_name("moto_server")
# The core scenarios run on both cloud-init generations: Debian 12 (22.4), Debian 13 (25.x).
BOTH_IMAGES = pytest.mark.parametrize("suite", image.SUITES, indirect=True)


def render(fmt: str, **options) -> bytes:
    """Rendered user-data, exactly what EC2 would hand cloud-init."""
    data = {"format": fmt, "app_user": APP_USER, **options}
    return build.build(profile.from_mapping(data)).user_data


# --- the IMDS peers ------------------------------------------------------------------------


class Peer:
    """The instance's IMDS: the mock (`kind="mock"`) or moto_server (`kind="moto"`), serving
    the IPv4 address, the IPv6 one, or both (`host="both"`: one moto_server for each)."""

    def __init__(self, vm, kind: str, faults: Faults | None = None, host: str = "both",
                 role: str | None = None) -> None:
        self.vm, self.kind = vm, kind
        self.listening_at: float | None = None
        if kind == "mock":
            addresses = vm.imds_addresses if host == "both" else [(host, 80)]
            inst = Instance(role=role) if role else None
            self.mock = MockImds(faults, instance=inst, addresses=addresses, netns=vm.netns)
        else:
            if faults and faults != Faults(start_after=faults.start_after):
                raise ValueError("moto_server can only start late; other faults need the mock")
            self.delay = faults.start_after if faults else 0.0
            hosts = (instance.IMDS_V4, instance.IMDS_V6) if host == "both" else (host,)
            self.motos = [moto.MotoServer(vm, host=h, executable=str(MOTO)) for h in hosts]
        self._timer: threading.Timer | None = None

    def start(self) -> "Peer":
        if self.kind == "mock":
            self.mock.start()
        elif self.delay:
            self._timer = threading.Timer(self.delay, self._start_moto)
            self._timer.start()
        else:
            self._start_moto()
        return self

    def _start_moto(self) -> None:
        for server in self.motos:
            server.start()
            self.listening_at = self.listening_at or time.time()  # the IPv4 one, first

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()
        if self.kind == "mock":
            self.mock.stop()
        else:
            for server in self.motos:
                server.stop()

    def listening_since(self) -> float | None:
        return self.mock.listening_at if self.kind == "mock" else self.listening_at

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        if self.kind == "mock":
            return [(r.method, r.path, r.status) for r in self.mock.requests]
        time.sleep(0.2)  # the access log is written after the answer
        return [r for server in self.motos for r in server.requests]

    def expected_env(self, actual: dict[str, str]) -> dict[str, str]:
        """The env file these credentials should give."""
        if self.kind == "mock":
            creds, region = self.mock.last_credentials, self.mock.instance.region
        else:  # moto: fixed keys; Expiration is a day from its answer
            creds = {"AccessKeyId": "test-key", "SecretAccessKey": "test-secret-key",
                     "Token": "test-session-token",
                     "Expiration": _iso_or_none(actual.get("AWS_CREDENTIAL_EXPIRATION"))}
            region = "us-east-1"
        assert creds is not None, "the peer never served credentials"
        return {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                "AWS_SESSION_TOKEN": creds["Token"],
                "AWS_CREDENTIAL_EXPIRATION": creds["Expiration"],
                "AWS_REGION": region, "AWS_DEFAULT_REGION": region}

    def secrets(self) -> list[str]:
        """Strings that must never appear in a log."""
        if self.kind == "moto":
            return ["test-secret-key", "test-session-token", "fake-imdsv2-token"]
        found = list(self.mock.tokens)
        for creds in self.mock.credentials:
            found += [creds["SecretAccessKey"], creds["Token"]]
        return found


def _iso_or_none(value: str | None) -> str | None:
    if value and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value):
        return value
    return None


# --- what tests look at ----------------------------------------------------------------------


def parse_env(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines())


def env_text(env: dict[str, str]) -> str:
    return "".join(f"{key}={env[key]}\n" for key in ENV_KEYS)


def error_lines(vm) -> list[str]:
    return ERROR_LINE.findall(vm.output_log())


def token_put(vm, base: str, uid: int | None = None) -> tuple[int, str, str]:
    """(curl exit status, HTTP status, stderr) of an IMDSv2 token request from the instance."""
    done = vm.run(["curl", "-sS", "--max-time", "5", "-X", "PUT", "-H",
                   "X-aws-ec2-metadata-token-ttl-seconds: 60", "-o", "/dev/null", "-w",
                   "%{http_code}", base + "/latest/api/token"], uid=uid)
    return done.returncode, done.stdout.strip(), done.stderr.strip()


def assert_refused(vm, base: str, uid: int) -> None:
    """A real connection refused (curl exit 7, at once), not a timeout or an HTTP answer."""
    start = time.monotonic()
    code, status, err = token_put(vm, base, uid)
    assert code == 7 and status == "000", f"uid {uid} to {base}: curl {code}, HTTP {status}: {err}"
    assert time.monotonic() - start < 3, "refused only after a timeout: the rule drops"


def assert_token(vm, base: str, uid: int | None = None) -> None:
    code, status, err = token_put(vm, base, uid)
    assert (code, status) == (0, "200"), f"uid {uid} to {base}: curl {code}, HTTP {status}: {err}"


def botocore_in_instance(vm, env_file: str = ENV_FILE, uid: int = APP_UID) -> list[str]:
    """[method, access key, secret, token, region] as Debian's botocore, run by the app user
    after `. env_file` in sh, loads them."""
    script = (f"set -a; . {env_file}; set +a; HOME=/nonexistent exec python3 -c '"
              "import json, botocore.session as b; s = b.get_session(); c = s.get_credentials();"
              " f = c.get_frozen_credentials(); print(json.dumps([c.method, f.access_key,"
              " f.secret_key, f.token, s.get_config_variable(\"region\")]))'")
    done = vm.sh(script, uid=uid)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def temp_leftovers(vm, directory: str = "/run/bootstrapper") -> list[str]:
    path = vm.path(directory)
    return sorted(p.name for p in path.iterdir() if p.name.startswith(".")) \
        if path.is_dir() else []



# --- watching a file being replaced ----------------------------------------------------------

COMPLETE_ENV = re.compile("".join(rf"{key}=[^\s=][^\n]*\n" for key in ENV_KEYS))


class FileWatcher:
    """Reads a file in a tight loop in a thread, from open to fstat to read, and records every
    read that was not a complete env file with mode 0440, owner root and the app user's
    group (`uid`: user-private groups make its gid its uid here): a missing
    file, an empty or partial one, or one that was briefly readable by others."""

    def __init__(self, path: Path, uid: int = APP_UID, pattern: re.Pattern = COMPLETE_ENV):
        self.path, self.uid, self.pattern = path, uid, pattern
        self.reads = 0
        self.contents: list[str] = []  # each distinct complete content, in order seen
        self.bad: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> "FileWatcher":
        self._thread.start()
        while self.reads == 0 and self._thread.is_alive():
            time.sleep(0.001)
        return self

    def stop(self) -> "FileWatcher":
        self._stop.set()
        self._thread.join()
        return self

    def _watch(self) -> None:
        import os

        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_RDONLY)
            except FileNotFoundError:
                self._record("missing")
                continue
            try:
                info = os.fstat(fd)
                text = os.read(fd, 1 << 16).decode(errors="replace")
            finally:
                os.close(fd)
            if (info.st_mode & 0o777, info.st_uid, info.st_gid) != (0o440, 0, self.uid):
                self._record(f"mode {info.st_mode & 0o777:o} owner {info.st_uid}:"
                             f"{info.st_gid}")
            elif not self.pattern.fullmatch(text):
                self._record(f"incomplete ({len(text)} bytes)")
            elif not self.contents or self.contents[-1] != text:
                self.contents.append(text)
            self.reads += 1

    def _record(self, what: str) -> None:
        self.reads += 1
        if len(self.bad) < 20:
            self.bad.append(what)


def early_runs(fmt: str) -> int:
    """Lockdowns a boot runs from cloud-config's bootcmd (the init stage): none in a shell
    user-data, which runs only in the final stage."""
    return 0 if fmt == "shell" else 1


# --- what a test concludes about a boot (shared by the fetch, lockdown and portability tests)


def assert_healthy(vm, peer, boot) -> dict[str, str]:
    """The boot succeeded and left the exact env file the peer's credentials give."""
    assert boot.ok, boot.describe()
    assert vm.failed_scripts() == []
    text = vm.read(ENV_FILE)
    env = parse_env(text)
    assert text == env_text(peer.expected_env(env))
    info = os.stat(vm.path(ENV_FILE))
    # Root's, readable by the app user's own group (issue 18: the app user owned it).
    assert (info.st_mode & 0o777, info.st_uid, info.st_gid) == (0o440, 0, APP_UID)
    assert temp_leftovers(vm) == []
    return env


def assert_failed(vm, boot, message: str) -> None:
    """The boot's final stage failed, the log says why in one line, and nothing was written."""
    assert [s.returncode for s in boot.stages[:3]] == [0, 0, 0], boot.describe()
    assert boot.stage("final").returncode != 0, boot.describe()
    assert [code for _, code in vm.failed_scripts()] and all(
        code != 0 for _, code in vm.failed_scripts())
    # One line (a cloud-config lockdown's error comes twice: bootcmd said it first).
    lines = error_lines(vm)
    assert len(set(lines)) == 1, vm.output_log()
    assert re.search(message, lines[0]), lines[0]
    assert not vm.exists(ENV_FILE)
    assert temp_leftovers(vm) == []


def assert_locked(vm) -> None:
    """Root and the allowed user reach IMDS on both addresses; nobody else does."""
    for base in (V4, V6):
        assert_token(vm, base)  # root; also proves something listens there
        assert_token(vm, base, ALLOWED_UID)
        assert_refused(vm, base, NOBODY)
        assert_refused(vm, base, APP_UID)
