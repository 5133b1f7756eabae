"""moto_server as the IMDS of a simulated instance: a second, independent peer.

    with SimulatedInstance(root) as vm, MotoServer(vm) as moto:   # 169.254.169.254:80
        ...
        moto.requests   # [(method, path, status)] from its access log

moto's IMDS accepts any token and prints compact JSON (the mock prints the real service's
layout), so a script that works against both depends on neither's quirks.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import time

from .instance import IMDS_V4, SimulatedInstance, stop_process


class MotoServer:
    """moto_server serving its IMDS inside an instance's namespace, on one address."""

    def __init__(self, instance: SimulatedInstance, host: str = IMDS_V4,
                 executable: str = "moto_server") -> None:
        self.instance, self.host, self.executable = instance, host, executable
        self.log = instance.workdir / f"moto-{secrets.token_hex(3)}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "MotoServer":
        with open(self.log, "wb") as log:
            self.process = self.instance.spawn(
                [self.executable, "-H", self.host, "-p", "80"], stdout=log,
                stderr=subprocess.STDOUT)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto_server exited: {self.log.read_text()[-2000:]}")
            if "Running on" in self.log.read_text(errors="replace"):
                return self
            time.sleep(0.05)
        raise RuntimeError(f"moto_server did not start in {timeout}s")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def __enter__(self) -> "MotoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        text = self.log.read_text(errors="replace")
        return [(m.group(1), m.group(2), int(m.group(3))) for m in
                re.finditer(r'"([A-Z]+) (\S+) HTTP/[0-9.]+" (\d{3})', text)]
