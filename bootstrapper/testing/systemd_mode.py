"""The simulated instance with systemd as PID 1: booting it and watching its units.

A mixin of SimulatedInstance (instance.py), which gives it `run`, `path`, `root`, `workdir`,
`netns`, `write`, `enabled_units` and the `container` attribute. Unit state comes from
`systemctl show` through nsenter (units.py reads it): the image has no D-Bus, and with
`--register=no` the host cannot ask machined either. Every wait has a timeout.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from pathlib import Path

from bootstrapper.testing import container as nspawn
from bootstrapper.testing import units as systemd_units
from bootstrapper.testing.boots import Boot, Stage


def has_systemd(image_root: Path) -> bool:
    """Whether the image can boot with systemd as PID 1."""
    return any((image_root / p).is_file() for p in ("usr/lib/systemd/systemd",
                                                    "lib/systemd/systemd"))


class SystemdMode:
    """boot() in systemd mode, shutdown(), and what tests read of systemd: unit states,
    waits with timeouts, the journal."""

    def running(self) -> bool:
        """Whether the container is up (systemd mode, between boot() and shutdown())."""
        return self.container is not None and self.container.running()

    def shutdown(self, timeout: float = 60) -> None:
        """Power off (a clean systemd shutdown); the firewall rules stay in the namespace,
        as they would not on a real machine: reboot() flushes them."""
        if self.container is not None:
            self.container.stop(timeout)
            self.container = None

    def _prepare_for_systemd(self) -> None:
        """An instance of its own: a machine id (journald keeps each machine's files apart),
        and no getty on the console nobody types into."""
        self.write("/etc/machine-id", secrets.token_hex(16) + "\n", 0o444)
        getty = self.path("/etc/systemd/system/console-getty.service")
        if not os.path.lexists(getty):
            getty.symlink_to("/dev/null")

    def stage_units(self) -> dict[str, str]:
        """cloud-init's stage name -> the unit that runs it in this image."""
        found = {}
        for stage, names in systemd_units.STAGE_UNITS:
            found[stage] = next((n for n in names if self._unit_file(n)), names[0])
        return found

    def _boot_systemd(self, hooks: dict, timeout: float) -> Boot:
        if self.running():
            raise RuntimeError("the instance is already up: reboot() or shutdown() first")
        hooks = dict(hooks)
        result = Boot(started=time.time(), mode="systemd")
        if "local" in hooks:  # nothing runs before the local stage but systemd itself
            hooks.pop("local")()
        self.boots += 1
        self.container = nspawn.Container(self.netns, self.root, self.netns,
                                          console=self.workdir / f"console-{self.boots}.log")
        self.container.start(timeout=min(timeout, 60))
        deadline = time.monotonic() + timeout
        stages = self.stage_units()
        while True:
            states = dict(zip(stages, self.show_units(list(stages.values()))))
            for name in [n for n in hooks if systemd_units.started(states[n])]:
                hooks.pop(name)()
            if systemd_units.settled(states["final"]):
                break
            if not self.container.running():
                result.problem = "the container stopped before cloud-init's final stage ended"
                break
            if time.monotonic() > deadline:
                result.problem = (f"{stages['final']} not done after {timeout:.0f}s; "
                                  f"jobs:\n{self.run(['systemctl', 'list-jobs']).stdout}")
                break
            time.sleep(0.1)
        if not result.problem:
            self._settle_enabled(deadline)
        result.stages = [self._stage(name, stages[name], states[name]) for name in stages]
        result.units = self._boot_units() if self.running() else []
        result.ended = time.time()
        return result

    def _stage(self, name: str, unit: str, state: dict[str, str]) -> Stage:
        output = self.journal(unit, boot=True) if self.running() else ""
        if self._unit_file("cloud-init-main.service") and self.running():
            output += self.journal("cloud-init-main.service", boot=True)  # it does the work
        return Stage(name, systemd_units.exit_code(state), systemd_units.seconds(state), output)

    def _settle_enabled(self, deadline: float) -> None:
        """Until the services the user-data enabled are done starting (they are ordered
        before multi-user.target, so before cloud-final; this only guards a slow one)."""
        names = [u for _, u in self.enabled_units() if u.endswith(".service")]
        while names and time.monotonic() < deadline:
            states = self.show_units(names)
            if all(systemd_units.settled(s) or not systemd_units.started(s) for s in states):
                return
            time.sleep(0.1)

    def _boot_units(self) -> list[Stage]:
        """The services the user-data enabled that ran in this boot, in start order."""
        names = [u for _, u in self.enabled_units() if u.endswith(".service")]
        # One snapshot in which every started unit has settled: a timer may start one again
        # right after the boot settled (a test period of seconds), and a unit caught starting
        # is not a failure. One still starting after 30 s is reported as such (-1).
        end = time.monotonic() + 30
        while True:
            states = [s for s in self.show_units(names) if systemd_units.started(s)]
            if all(systemd_units.settled(s) for s in states) or time.monotonic() > end:
                break
            time.sleep(0.1)
        states.sort(key=lambda s: int(s["InactiveExitTimestampMonotonic"]))
        return [self._unit_stage(s) for s in states]

    def _unit_stage(self, state: dict[str, str]) -> Stage:
        invocation = state.get("InvocationID") or ""
        output = self.journal(match=f"_SYSTEMD_INVOCATION_ID={invocation}",
                              fmt="cat") if invocation else ""
        return Stage(state["Id"], systemd_units.exit_code(state),
                     systemd_units.seconds(state), output)

    def show_units(self, names: list[str],
                   properties=systemd_units.PROPERTIES) -> list[dict[str, str]]:
        """`systemctl show` of each unit: a dict of its properties, in the order asked."""
        if not names:
            return []
        done = self.run(["systemctl", "show", "-p", ",".join(properties), *names],
                        timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"systemctl show {' '.join(names)}: {done.stderr.strip()}")
        return systemd_units.parse_show(done.stdout)

    def unit_state(self, unit: str) -> tuple[str, str]:
        """(ActiveState, Result) of a unit in the running container."""
        [state] = self.show_units([unit])
        return state.get("ActiveState", ""), state.get("Result", "")

    def wait_unit(self, unit: str, timeout: float = 60) -> tuple[str, str]:
        """Wait until the unit has settled (see units.settled); its (ActiveState, Result)."""
        return self.wait_for(lambda: self._settled_state(unit), timeout, f"{unit} to settle")

    def _settled_state(self, unit: str):
        [state] = self.show_units([unit])
        return (state["ActiveState"], state["Result"]) if systemd_units.settled(state) else None

    def wait_for(self, probe, timeout: float, what: str, every: float = 0.2):
        """Poll `probe()` until it returns something true; that value. TimeoutError, naming
        `what`, after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f}s for {what}")
            time.sleep(every)

    def journal(self, unit: str | None = None, *, boot: bool = False, match: str | None = None,
                fmt: str = "short-monotonic") -> str:
        """The journal: every boot's (or only this one's), of one unit or all. Read inside
        while the container runs, else from the overlay's /var/log/journal on the host."""
        args = ["--no-pager", "-q", "-o", fmt]
        args += ["-b"] if boot else []
        args += ["-u", unit] if unit else []
        args += [match] if match else []
        if self.running():
            done = self.run(["journalctl", *args], timeout=60)
        else:
            journal_dir = self.root / "var/log/journal"
            done = subprocess.run(["journalctl", "-D", str(journal_dir), *args],
                                  capture_output=True, text=True, timeout=60)
        return done.stdout

    def _unit_file(self, unit: str) -> bool:
        return any(self.path(f"{d}/{unit}").is_file() for d in
                   ("/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"))
