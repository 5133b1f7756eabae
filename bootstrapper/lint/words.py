"""Shell words as the rules look at them: which parts of a value are command output."""

from __future__ import annotations

from .shell import balanced


def substitutions(value: str) -> list[tuple[int, int]]:
    """(start, end) spans of the `$(...)` and backtick substitutions in a word."""
    spans, pos = [], 0
    while pos < len(value):
        if value.startswith("$(", pos) and not value.startswith("$((", pos):
            end = balanced(value, pos + 2, "(", ")")
            spans.append((pos, end + 1))
            pos = end + 1
        elif value[pos] == "`":
            end = value.find("`", pos + 1)
            end = len(value) if end < 0 else end
            spans.append((pos, end + 1))
            pos = end + 1
        else:
            pos += 1
    return spans


def without_substitutions(value: str, keep=lambda text: False) -> str:
    """`value` with each command substitution removed, unless `keep(its text)`."""
    out, last = [], 0
    for start, end in substitutions(value):
        if not keep(value[start:end]):
            out.append(value[last:start])
            last = end
    out.append(value[last:])
    return "".join(out)
