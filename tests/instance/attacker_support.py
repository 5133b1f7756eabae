"""The attacker's tools for tests/instance/test_attacker.py (issue 18): what an unprivileged
local user (the app user, uid 65534) tries against the credential files and the lockdown."""

from __future__ import annotations

import subprocess
import time

from instance_support import NOBODY, V4, V6, token_put

HELPER = "/usr/local/sbin/bootstrapper-imds"


def writes_fail(vm, uid: int, path: str) -> list[str]:
    """Ways `uid` could change `path` (append, truncate, back-date, replace by rename, remove)
    that succeeded: the empty list when the file holds."""
    directory = path.rsplit("/", 1)[0]
    attempts = {
        "append": f"echo AWS_CREDENTIAL_EXPIRATION=2099-01-01T00:00:00Z >> {path}",
        "truncate": f": > {path}",
        "back-date": f"touch -d 2000-01-01 {path}",
        "chmod": f"chmod 0666 {path}",
        "replace": f"echo x > {directory}/.planted && mv -f {directory}/.planted {path}",
        "remove": f"rm -f {path} && ! test -e {path}",
    }
    return [name for name, script in attempts.items()
            if vm.sh(script + " 2>/dev/null", uid=uid).returncode == 0]


def plant(vm, inside: str, content: str, mode: int = 0o755) -> None:
    """Put a file at `inside` without following a symlink there: vm.write would follow an
    absolute link (/usr/sbin/iptables -> /etc/alternatives/...) out to the host's file."""
    target = vm.path(inside)
    if target.is_symlink() or target.exists():
        target.unlink()
    vm.write(inside, content, mode)


def break_tool(vm, name: str) -> None:
    """Make /usr/sbin/NAME exit 1 inside the instance (a broken firewall tool)."""
    plant(vm, f"/usr/sbin/{name}", "#!/bin/sh\nexit 1\n")


def can_read(vm, uid: int, path: str) -> bool:
    return vm.sh(f"cat {path} >/dev/null 2>&1", uid=uid).returncode == 0


def gets_token(vm, uid: int = NOBODY) -> list[str]:
    """The IMDS addresses where `uid` got a session token (an HTTP 200 to the PUT)."""
    return [base for base in (V4, V6) if token_put(vm, base, uid)[:2] == (0, "200")]


class Poller:
    """Polls IMDS for a token as uid 65534 in the instance's network namespace, from a host
    shell loop (so it runs whatever the instance's boot is doing), recording each success."""

    def __init__(self, vm, uid: int = NOBODY) -> None:
        script = ("while :; do for b in http://169.254.169.254 'http://[fd00:ec2::254]'; do "
                  "c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 -X PUT "
                  "-H 'X-aws-ec2-metadata-token-ttl-seconds: 60' $b/latest/api/token); "
                  "[ \"$c\" = 200 ] && echo \"$(date +%s.%N) $b\"; done; sleep 0.05; done")
        self.child = vm.spawn(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                               "sh", "-c", script], stdout=subprocess.PIPE, text=True)
        self.started = time.time()

    def stop(self) -> list[str]:
        from bootstrapper.testing.instance import stop_process

        stop_process(self.child)
        return self.child.stdout.read().splitlines()


def container_token(net, base: str) -> tuple[int, str]:
    """(curl exit, HTTP status) of a token PUT from the container namespace behind the
    instance: its traffic is forwarded by the instance, never OUTPUT."""
    done = net.container_run(["curl", "-sS", "--max-time", "5", "-X", "PUT", "-H",
                              "X-aws-ec2-metadata-token-ttl-seconds: 60", "-o", "/dev/null",
                              "-w", "%{http_code}", base + "/latest/api/token"])
    return done.returncode, done.stdout.strip()


# An ordinary unit of the image (After=sysinit.target by default), as uid 65534 from early
# boot, logging the HTTP status of every token request: the systemd-harness form of Poller.
# (`$$` and `%%`: systemd would expand `$b` and `%{` itself.)
POLLER_UNIT = """[Unit]
Description=An image service that wants IMDS (issue 18 attacker)

[Service]
User=nobody
ExecStart=/bin/sh -c 'while :; do for b in http://169.254.169.254 http://[fd00:ec2::254]; do \\
  curl -s -o /dev/null -w "%%{http_code}\\n" --max-time 1 -X PUT \\
  -H "X-aws-ec2-metadata-token-ttl-seconds: 60" $$b/latest/api/token >>/var/tmp/poller.log; \\
  done; sleep 0.05; done'

[Install]
WantedBy=multi-user.target
"""


def install_poller_unit(vm) -> None:
    vm.write("/etc/systemd/system/imds-poller.service", POLLER_UNIT)
    wants = vm.path("/etc/systemd/system/multi-user.target.wants")
    wants.mkdir(parents=True, exist_ok=True)
    (wants / "imds-poller.service").symlink_to("/etc/systemd/system/imds-poller.service")
