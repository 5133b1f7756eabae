"""Reading systemd's unit state from `systemctl show` (no D-Bus in the test image).

`systemctl show -p A,B unit...` prints one `KEY=VALUE` block per unit, blocks separated by
a blank line, in the order asked; an unknown unit still gets a block (LoadState=not-found).
"""

from __future__ import annotations

# What boot() and start_unit() read of a unit.
PROPERTIES = ("Id", "LoadState", "ActiveState", "SubState", "Result", "ExecMainStatus",
              "ExecMainStartTimestampMonotonic", "ExecMainExitTimestampMonotonic",
              "InactiveExitTimestampMonotonic", "ActiveEnterTimestampMonotonic",
              "InactiveEnterTimestampMonotonic", "ConditionResult",
              "ConditionTimestampMonotonic", "InvocationID")

# cloud-init's stages and the unit that runs each: 24.3 renamed cloud-init.service to
# cloud-init-network.service (and added cloud-init-main.service, the one process all four
# shims talk to). The first name the image has wins.
STAGE_UNITS = (
    ("local", ("cloud-init-local.service",)),
    ("network", ("cloud-init-network.service", "cloud-init.service")),
    ("config", ("cloud-config.service",)),
    ("final", ("cloud-final.service",)),
)


def parse_show(text: str) -> list[dict[str, str]]:
    blocks, current = [], {}
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
                current = {}
            continue
        key, _, value = line.partition("=")
        current[key] = value
    if current:
        blocks.append(current)
    return blocks


def started(state: dict[str, str]) -> bool:
    """The unit began starting in this boot (a unit never started has 0)."""
    return state.get("InactiveExitTimestampMonotonic", "0") not in ("", "0")


def settled(state: dict[str, str]) -> bool:
    """Done for this boot: ran and finished (oneshot with RemainAfterExit, or a service that
    is up), failed, or was skipped by a condition. Not while it is queued or starting."""
    active = state.get("ActiveState")
    if active in ("active", "failed"):
        return True
    if active == "inactive":  # a oneshot without RemainAfterExit that ran, or a skipped one
        return started(state) or (state.get("ConditionResult") == "no"
                                  and state.get("ConditionTimestampMonotonic", "0") != "0")
    return False


def exit_code(state: dict[str, str]) -> int:
    """0 for success; the main process's exit status when it failed with one (1 when a
    pre-start step failed and the main process never ran); -1 for anything else (never
    started, killed by a signal, timed out)."""
    result = state.get("Result")
    if not settled(state):
        return -1
    if result == "success" and started(state):
        return 0
    if result == "exit-code":
        return int(state.get("ExecMainStatus") or 0) or 1
    return -1


def seconds(state: dict[str, str]) -> float:
    """How long the unit's start took (its main process, for a oneshot)."""
    begin = int(state.get("ExecMainStartTimestampMonotonic") or 0) or \
        int(state.get("InactiveExitTimestampMonotonic") or 0)
    end = int(state.get("ExecMainExitTimestampMonotonic") or 0) or \
        int(state.get("ActiveEnterTimestampMonotonic") or 0) or \
        int(state.get("InactiveEnterTimestampMonotonic") or 0)
    return max(end - begin, 0) / 1e6 if begin and end else 0.0
