"""What one boot of the simulated instance did: its stages and units, and whether it ended."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Stage:
    name: str
    returncode: int
    seconds: float
    output: str  # cloud-init's own stdout and stderr for the stage


@dataclass
class Boot:
    """One boot: cloud-init's stages, and the systemd units run around them."""

    stages: list[Stage] = field(default_factory=list)
    units: list[Stage] = field(default_factory=list)
    started: float = 0.0  # time.time()
    ended: float = 0.0
    mode: str = "chroot"  # who ran it: "systemd" (PID 1 in nspawn) or "chroot" (by hand)
    problem: str = ""  # why the boot never finished (a timeout), when it did not

    @property
    def ok(self) -> bool:
        return not self.problem and all(s.returncode == 0 for s in self.stages + self.units)

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    def describe(self) -> str:
        lines = [f"{self.mode} boot" + (f": {self.problem}" if self.problem else "")]
        lines += [f"{s.name}: exit {s.returncode} in {s.seconds:.1f}s" for s in self.stages]
        lines += [f"unit {u.name}: exit {u.returncode}\n{u.output}" for u in self.units]
        bad = [s for s in self.stages if s.returncode]
        if bad:
            lines.append(f"--- output of stage {bad[0].name} ---\n{bad[0].output[-3000:]}")
        return "\n".join(lines)
