"""The classic YAML traps in user-data, explained in the user's terms.

A schema error such as "{'TOKEN=$(curl ...': '60")'} is not valid under any of the given
schemas" is true but says nothing about the cause. The causes are few and always the same:
an unquoted `: ` turns a command into a mapping, ` #` starts a comment in the middle of a
command, `yes`/`no`/`on`/`off` become booleans, `0755` the octal number 493, a tab
indents a line. Each function here
gives the message that says what happened and how to quote it, or "" when it is no trap.
"""

from __future__ import annotations

import re

COMMAND_LISTS = ("runcmd", "bootcmd")
_BOOLEAN_WORDS = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|"
                            r"FALSE|on|On|ON|off|Off|OFF)$")


def colon(path: tuple, instance) -> str:
    """A runcmd/bootcmd entry that YAML read as a mapping because of an unquoted `: `."""
    if len(path) != 2 or path[0] not in COMMAND_LISTS or not isinstance(instance, dict) \
            or len(instance) != 1:
        return ""
    key, value = next(iter(instance.items()))
    return (f"{path[0]}[{path[1]}] is a mapping, not a command: the unquoted ': ' after "
            f"{_tail(str(key))!r} made YAML read the line as key: value, so cloud-init "
            f"gets {{{_tail(str(key))!r}: {_head(str(value))!r}}}; quote the whole entry in "
            "single quotes (- 'TOKEN=$(curl ... -H \"X: 60\")', doubling any ' inside) or "
            "write it as a block scalar (- |)")


def boolean(instance, word: str) -> str:
    """A value YAML turned into a boolean where cloud-init wants a string."""
    if not isinstance(instance, bool) or not _BOOLEAN_WORDS.match(word):
        return ""
    return (f"YAML reads the unquoted {word} as the boolean {instance}, not the string "
            f"{word!r}; quote it: '{word}'")


def number(instance, word: str, key: str = "") -> str:
    """A value YAML turned into a number where cloud-init wants a string: `0755` is the
    octal 493 (so `chmod 0755` would run as `chmod 493`), `8080` an integer. For a
    `permissions` key cloud-init takes a number as the mode itself: `0644` (420) happens
    to work, `644` is mode 01204."""
    if isinstance(instance, bool) or not isinstance(instance, (int, float)) or not word:
        return ""
    if key == "permissions" and isinstance(instance, int):
        if re.fullmatch(r"0[0-7]+", word):
            return (f"YAML reads the unquoted {word} as the number {instance}, which cloud-init "
                    f"happens to use as mode {word}, but the schema wants a string: quote it: "
                    f"'{word}'")
        return (f"YAML reads the unquoted {word} as the decimal number {instance}, which "
                f"cloud-init uses as mode {oct(instance)[2:].zfill(4)}, not {word.zfill(4)}; "
                f"quote it: '{word.zfill(4)}'")
    if re.fullmatch(r"0[0-7]+", word):
        return (f"YAML reads the unquoted {word} as the octal number {instance}, so cloud-init "
                f"would pass {instance}, not {word}; quote it: '{word}'")
    return f"YAML reads the unquoted {word} as a number, not a string; quote it: '{word}'"


def comment(line_text: str, node_end: int, value: str) -> str:
    """A plain runcmd entry cut short by ` #`: the rest of the line is a YAML comment."""
    rest = line_text[node_end:]
    if not re.match(r"\s+#", rest) or not _broken(value):
        return ""
    return (f"' #' starts a YAML comment here, so cloud-init runs only {_tail(value, 40)!r} "
            f"and drops {rest.strip()[:40]!r}; quote the whole entry (- \"...\" or - '...')")


def tab(line_text: str) -> str:
    """A YAML syntax error on a line indented with a tab."""
    if not line_text[:len(line_text) - len(line_text.lstrip())].count("\t"):
        return ""
    return "a tab indents this line: YAML allows only spaces for indentation; " \
           "replace the tab with spaces"


def _broken(command: str) -> bool:
    """Unbalanced quotes or a dangling operator: a command that was cut, not commented."""
    stripped = command.rstrip()
    return (stripped.count("'") % 2 == 1 or stripped.count('"') % 2 == 1
            or stripped.endswith(("|", "&&", "||", "\\", "(", "$(", "=")))


def _tail(text: str, width: int = 30) -> str:
    return text if len(text) <= width else "…" + text[-width:]


def _head(text: str, width: int = 20) -> str:
    return text if len(text) <= width else text[:width] + "…"
