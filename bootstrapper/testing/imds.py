"""A mock EC2 instance metadata service that behaves like IMDSv2 with `HttpTokens=required`.

    with MockImds(Faults(fail_first=3, fail_status=429)) as imds:   # 127.0.0.1, a free port
        ...   # point a client at imds.url
        assert all(r.token_ok for r in imds.requests if r.method == "GET")

What it answers (every answer `text/plain`, documents pretty-printed like the real service):

- `PUT /latest/api/token` needs `X-aws-ec2-metadata-token-ttl-seconds` in 1..21600 (else 400);
  a PUT carrying `X-Forwarded-For` gets 403. Any other method on that path: 405.
- Every other request must be a GET with a valid, unexpired `X-aws-ec2-metadata-token`
  (else 401): `meta-data/placement/region` (and `availability-zone`, `instance-id`),
  `meta-data/iam/info`,
  `meta-data/iam/security-credentials/` (the role name) and `.../<role>` (the credentials).

Faults are scripted with `Faults`: a late start (connection refused until then), the first N
requests answering 500 or 429, an already expired first token, no role attached, a service
that accepts connections and never answers, an answer cut off halfway through its body, and
new keys on every credentials request.
Every request is logged (`requests`) with its method, path, headers, client, time and status.

Servers bind where they are told: `addresses=[("169.254.169.254", 80), ("fd00:ec2::254", 80)]`
and `netns="NAME"` serve the instance network of a namespace made by instance.py (the sockets
are created inside it; this process stays where it is). Only that needs root.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import secrets
import socket
import string
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_HEADER = "X-aws-ec2-metadata-token"
TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/"


@dataclass
class Faults:
    """What goes wrong. The defaults are a healthy instance with a role attached."""

    start_after: float = 0.0  # seconds after start() before anything listens (refused until)
    fail_first: int = 0  # the first N requests answer fail_status
    fail_status: int = 500
    expire_first_token: bool = False  # the first token issued is already expired when used
    no_role: bool = False  # no instance profile: the iam paths answer 404
    hang: bool = False  # accept connections, never answer
    rotate: bool = False  # new keys on every credentials request (else one set per server)
    cut_short: str | None = None  # the first 200 for this path stops halfway through its body


@dataclass
class Request:
    """One request as the mock saw it."""

    time: float  # time.time() when it arrived
    method: str
    path: str
    headers: dict[str, str]
    client: str  # the peer address (an IPv6 address for the IPv6 endpoint)
    status: int = 0  # 0 while unanswered (or never, with Faults.hang)
    token_ok: bool = False  # carried a valid, unexpired session token

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Instance:
    """The instance the mock describes."""

    role: str = "bootstrapper-test-role"
    region: str = "eu-central-1"
    account: str = "123456789012"
    instance_id: str = "i-0123456789abcdef0"
    lifetime: timedelta = timedelta(hours=6)


def new_credentials(lifetime: timedelta = timedelta(hours=6)) -> dict[str, str]:
    """Keys shaped like real ones: the secret and token use base64's `+`, `/` and `=`."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    upper = string.ascii_uppercase + string.digits
    return {
        "Code": "Success",
        "LastUpdated": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Type": "AWS-HMAC",
        "AccessKeyId": "ASIA" + "".join(secrets.choice(upper) for _ in range(16)),
        "SecretAccessKey": base64.b64encode(secrets.token_bytes(30)).decode()[:38] + "+/",
        "Token": base64.b64encode(secrets.token_bytes(700)).decode(),
        "Expiration": (now + lifetime).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def pretty(document: dict[str, str]) -> str:
    """The real service's JSON layout: two-space indent and `"Key" : "value"`."""
    return json.dumps(document, indent=2, separators=(",", " : "))


class MockImds:
    """The mock IMDSv2: start(), stop() (or a with-block); inspect requests and credentials."""

    def __init__(self, faults: Faults | None = None, *, instance: Instance | None = None,
                 addresses: list[tuple[str, int]] | None = None, netns: str | None = None,
                 clock=time.time) -> None:
        self.faults = faults or Faults()
        self.instance = instance or Instance()
        self.addresses = addresses or [("127.0.0.1", 0)]
        self.netns = netns
        self.clock = clock
        self.requests: list[Request] = []
        self.credentials: list[dict[str, str]] = []  # every document served, in order
        self.listening_at: float | None = None  # clock() when the listeners opened
        self.on_request = None  # called with each Request before it is answered
        self.tokens: dict[str, float] = {}  # token -> expiry (clock)
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self._stopped = threading.Event()
        self._timer: threading.Timer | None = None
        self._fixed = new_credentials(self.instance.lifetime)
        self._cut_done = False

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> "MockImds":
        """Listen now, or after Faults.start_after seconds (nothing listens until then)."""
        if self.faults.start_after > 0:
            self._timer = threading.Timer(self.faults.start_after, self._listen)
            self._timer.daemon = True
            self._timer.start()
        else:
            self._listen()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._timer is not None:
            self._timer.cancel()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> "MockImds":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL of the first listener (for clients on this side of the namespace)."""
        host, port = self.addresses[0][:2]
        if self._servers:
            port = self._servers[0].server_address[1]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}" + (f":{port}" if port != 80 else "")

    def _listen(self) -> None:
        if self._stopped.is_set():
            return
        for host, port in self.addresses:
            sock = listening_socket(host, port, self.netns)
            server = _Server(sock, self)
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True,
                             name=f"imds-{host}").start()
            self._servers.append(server)
        self.listening_at = self.clock()

    # --- the service ---------------------------------------------------------------------

    def answer(self, request: Request) -> tuple[int, str]:
        """Status and body for one request (called by the handler, under the lock)."""
        if self.faults.fail_first and len(self.requests) <= self.faults.fail_first:
            return self.faults.fail_status, ""
        if request.path == "/latest/api/token":
            return self._token(request)
        if request.method != "GET":
            return 405, ""
        request.token_ok = self._valid(request.header(TOKEN_HEADER))
        if not request.token_ok:
            return 401, ""
        return self._metadata(request.path)

    def _token(self, request: Request) -> tuple[int, str]:
        if request.method != "PUT":
            return 405, ""
        if request.header("X-Forwarded-For") is not None:
            return 403, ""
        ttl = request.header(TTL_HEADER) or ""
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return 400, ""
        token = base64.urlsafe_b64encode(secrets.token_bytes(42)).decode()
        expired = self.faults.expire_first_token and not self.tokens
        self.tokens[token] = self.clock() + (-1 if expired else int(ttl))
        return 200, token

    def _valid(self, token: str | None) -> bool:
        return token is not None and self.tokens.get(token, 0) > self.clock()

    def _metadata(self, path: str) -> tuple[int, str]:
        inst = self.instance
        leaf = path.rstrip("/")  # botocore asks for `placement/availability-zone/`
        if leaf == "/latest/meta-data/placement/region":
            return 200, inst.region
        if leaf == "/latest/meta-data/placement/availability-zone":
            return 200, inst.region + "a"
        if leaf == "/latest/meta-data/instance-id":
            return 200, inst.instance_id
        if path.startswith("/latest/meta-data/iam/") and self.faults.no_role:
            return 404, ""
        if path == "/latest/meta-data/iam/info":
            return 200, pretty({
                "Code": "Success", "LastUpdated": self._fixed["LastUpdated"],
                "InstanceProfileArn": f"arn:aws:iam::{inst.account}:instance-profile/{inst.role}",
                "InstanceProfileId": "AIPA" + "TESTINSTANCEPROF1"})
        if path == CREDENTIALS_PATH:
            return 200, inst.role
        if path == CREDENTIALS_PATH + inst.role:
            document = new_credentials(inst.lifetime) if self.faults.rotate else self._fixed
            self.credentials.append(document)
            return 200, pretty(document)
        return 404, ""

    def cut(self, path: str) -> bool:
        """Whether this answer is the one Faults.cut_short stops halfway (once)."""
        with self._lock:
            if self.faults.cut_short == path and not self._cut_done:
                self._cut_done = True
                return True
        return False

    # --- what tests look at --------------------------------------------------------------

    @property
    def last_credentials(self) -> dict[str, str] | None:
        return self.credentials[-1] if self.credentials else None

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        return _wait(lambda: len(self.requests) >= count, timeout)

    def wait_for_listening(self, timeout: float = 10.0) -> bool:
        return _wait(lambda: self.listening_at is not None, timeout)


def _wait(condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "EC2ws"
    sys_version = ""
    server: "_Server"

    def _serve(self) -> None:
        mock = self.server.mock
        request = Request(time=mock.clock(), method=self.command, path=self.path,
                          headers=dict(self.headers.items()), client=self.client_address[0])
        if mock.on_request is not None:
            mock.on_request(request)
        with mock._lock:
            mock.requests.append(request)
            if mock.faults.hang:
                status, body = 0, ""
            else:
                status, body = mock.answer(request)
                request.status = status
        if mock.faults.hang:
            mock._stopped.wait()
            self.close_connection = True
            return
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        if status == 200 and request.path == "/latest/api/token":
            self.send_header(TTL_HEADER, request.header(TTL_HEADER) or "")
        self.end_headers()
        if status == 200 and mock.cut(request.path):
            self.wfile.write(data[: len(data) // 2])  # then the connection closes
            self.close_connection = True
            return
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _serve

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's name
        pass  # the request log is self.server.mock.requests


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, sock: socket.socket, mock: MockImds) -> None:
        self.address_family = sock.family
        super().__init__(sock.getsockname()[:2], _Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.server_address = sock.getsockname()
        self.mock = mock


# --- sockets inside a network namespace ---------------------------------------------------

CLONE_NEWNET = 0x40000000


def listening_socket(host: str, port: int, netns: str | None = None) -> socket.socket:
    """A listening TCP socket on host:port, created inside network namespace `netns`.

    setns() moves only the calling thread, so a short-lived thread enters the namespace,
    makes the socket and ends; the socket stays in the namespace it was made in."""
    if netns is None:
        return _bind(host, port)
    result: dict[str, object] = {}

    def make() -> None:
        try:
            fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f"setns into network namespace {netns}")
            finally:
                os.close(fd)
            result["socket"] = _bind(host, port)
        except BaseException as err:  # re-raised in the caller's thread
            result["error"] = err

    thread = threading.Thread(target=make)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["socket"]  # type: ignore[return-value]


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(64)
    return sock


def main(argv: list[str]) -> int:
    """`python -m bootstrapper.testing.imds [HOST[:PORT]...]`: serve, log requests as JSON."""
    addresses = []
    for arg in argv or ["127.0.0.1:8080"]:
        host, _, port = arg.rpartition(":") if not arg.endswith("]") else (arg, "", "80")
        addresses.append((host.strip("[]") or arg, int(port or 80)))
    with MockImds(addresses=addresses) as imds:
        print(f"mock IMDSv2 on {imds.url} (role {imds.instance.role}); Ctrl-C stops",
              file=sys.stderr)
        seen = 0
        try:
            while True:
                time.sleep(0.2)
                for r in imds.requests[seen:]:
                    print(json.dumps({"method": r.method, "path": r.path, "status": r.status,
                                      "token_ok": r.token_ok, "client": r.client}), flush=True)
                seen = len(imds.requests)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
