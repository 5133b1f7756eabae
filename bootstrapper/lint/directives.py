"""Inline suppressions: `# bootstrapper: disable=RULE[,RULE]` and friends.

    curl http://169.254.169.254/ # bootstrapper: disable=imdsv1   this line
    # bootstrapper: disable-line=imdsv1                           the next line
    # bootstrapper: disable-next-line=imdsv1                      the next line
    # bootstrapper: disable=imdsv1  ...  # bootstrapper: enable=imdsv1   a block
    # bootstrapper: disable-file=size-limit                       the whole file

Without `=RULES` a directive covers every rule. A directive at the end of a line of code
covers that line; on a line of its own, `disable` opens a block that runs to a matching
`enable` (or the end of the file) and `disable-line` covers the next line of code, the
way shellcheck's directives apply to the command that follows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

ALL = "all"
VERBS = ("disable-file", "disable-next-line", "disable-line", "disable", "enable")
# something that was meant as a directive: `bootstrapper` then a word, `:` or not
_CANDIDATE = re.compile(r"#\s*bootstrapper\s*:?\s*([A-Za-z_-]+)(?:\s*=\s*([^\s#]*))?", re.I)
END = 10**9  # a block never closed runs past the last line
_DIRECTIVE = re.compile(
    r"#\s*bootstrapper:\s*(disable-file|disable-next-line|disable-line|disable|enable)\b"
    r"(?:\s*=\s*([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*))?")


@dataclass(eq=False, repr=False)  # compared and shown by no one
class Suppressions:
    """Which rules are off where, in the coordinates of the text they were read from."""

    file: set[str] = field(default_factory=set)
    lines: dict[int, set[str]] = field(default_factory=dict)
    blocks: list[tuple[int, int, str]] = field(default_factory=list)  # first, last, rule

    def covers(self, line: int, rule: str) -> bool:
        if ALL in self.file or rule in self.file:
            return True
        on_line = self.lines.get(line, ())
        if ALL in on_line or rule in on_line:
            return True
        return any(first <= line <= last and name in (ALL, rule)
                   for first, last, name in self.blocks)

    def __bool__(self) -> bool:
        return bool(self.file or self.lines or self.blocks)


def parse(text: str) -> Suppressions:
    """The suppressions written in `text` (1-based lines)."""
    found = Suppressions()
    if "bootstrapper:" not in text:
        return found
    lines = text.split("\n")
    open_blocks: dict[str, int] = {}
    for index, line in enumerate(lines, 1):
        match = _DIRECTIVE.search(line) if "bootstrapper:" in line else None
        if not match:
            continue
        verb = match.group(1)
        rules = {r.strip() for r in (match.group(2) or ALL).split(",")}
        alone = line[:match.start()].strip() in ("", "-")
        if verb == "disable-file":
            found.file |= rules
        elif verb == "enable":
            _close(found, open_blocks, rules, index - 1)
        elif verb == "disable" and alone:
            for rule in rules:
                open_blocks.setdefault(rule, index)
        else:
            target = _next_code_line(lines, index) if alone and verb != "disable" else index
            if verb == "disable-next-line":
                target = _next_code_line(lines, index)
            found.lines.setdefault(target, set()).update(rules)
    _close(found, open_blocks, set(open_blocks), END)
    return found


def _close(found: Suppressions, open_blocks: dict[str, int], rules: set[str], last: int) -> None:
    names = set(open_blocks) if ALL in rules else rules & set(open_blocks)
    for name in names:
        found.blocks.append((open_blocks.pop(name), last, name))


def _next_code_line(lines: list[str], index: int) -> int:
    """The 1-based number of the first line after `index` that is not blank or a comment."""
    for number in range(index + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return index + 1


def mistakes(text: str, rule_ids: Iterable[str]) -> list[tuple[int, str]]:
    """(line, message) for directives that suppress nothing because of a typo: an unknown
    verb (`disabel`, `disable_line`, no colon) or an unknown rule id (`hardcoded-secrets`)."""
    if "bootstrapper" not in text:
        return []
    import difflib  # lazy: render's validation loads this module, never this function

    known = set(rule_ids) | {ALL}
    out = []
    for index, line in enumerate(text.split("\n"), 1):
        candidate = _CANDIDATE.search(line) if "bootstrapper" in line else None
        if not candidate:
            continue
        match = _DIRECTIVE.search(line)
        if not match or match.start() != candidate.start() or \
                candidate.group(1).lower() not in VERBS:
            close = difflib.get_close_matches(candidate.group(1).lower(), VERBS, n=1, cutoff=0.6)
            if close:
                out.append((index, f"not a suppression: {candidate.group(0).strip()!r} suppresses "
                                   f"nothing; write '# bootstrapper: {close[0]}=RULE'"))
            continue
        for rule in (r.strip() for r in (match.group(2) or ALL).split(",")):
            if rule not in known:
                close = difflib.get_close_matches(rule, sorted(known), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                out.append((index, f"unknown rule {rule!r} in a suppression: it suppresses "
                                   f"nothing{hint}"))
    return out
