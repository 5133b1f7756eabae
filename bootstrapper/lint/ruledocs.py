"""Each rule's documentation, from its module: the docstring, ID, SEVERITY, OPTIONS, FORMERLY.

docs/lint.md's rule sections, SARIF's rule help and `bootstrapper lint --list-rules` are all
made here, so the docs cannot say something the code does not (tests/test_docs.py fails when
docs/lint.md is stale; `python -m bootstrapper.lint.ruledocs --write docs/lint.md` rewrites
the region between the markers, and without --write prints it).

A rule's docstring, in Markdown:

    ID: what it finds, in one sentence (may wrap; ends at the first blank line).

    Why it matters, how it decides, its options, how to fix it (paragraphs, lists, tables).

    FAIL:                   then the example, indented 4 spaces: linted by
        #cloud-config       tests/lint/test_rule_docs.py, which wants the rule reported
        ...
    PASS:                   ... and not reported here
        ...
    FAIL (main.tf):         an example that is a file of that name (linted as such)
    FAIL: prose             an example told in words (not linted)

Examples come last.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

BEGIN = ("<!-- rules:begin (generated from bootstrapper/lint/rules/*.py by "
         "`python -m bootstrapper.lint.ruledocs --write docs/lint.md`) -->")
END = "<!-- rules:end -->"
REGENERATE = "python -m bootstrapper.lint.ruledocs --write docs/lint.md"
_EXAMPLE = re.compile(r"^(FAIL|PASS)(?: \(([^)\s]+)\))?:(?: (.+))?$")
_FENCE = {".tf": "hcl", ".json": "json", ".yaml": "yaml", ".yml": "yaml", ".sh": "sh"}


@dataclass
class Example:
    kind: str  # FAIL or PASS
    text: str  # the code, dedented, ending in a newline; or the prose when `told`
    name: str = ""  # the file it is (linted under that name), or "" for standard input
    told: bool = False  # described in words, not code

    @property
    def fence(self) -> str:
        if self.name:
            return _FENCE.get(Path(self.name).suffix, "")
        first = self.text.split("\n", 1)[0]
        if first.startswith("#!"):
            return "sh"
        if first in ("#cloud-config", "## template: jinja"):
            return "yaml"
        return ""


@dataclass
class RuleDoc:
    id: str
    severity: str
    summary: str  # one sentence, as the docstring's first paragraph says it
    body: str  # Markdown
    examples: list[Example] = field(default_factory=list)
    level: str = ""  # the default column when one severity does not say it (shellcheck)
    options: Mapping[str, Any] = field(default_factory=dict)
    choices: Mapping[str, tuple] = field(default_factory=dict)
    formerly: tuple[str, str] | None = None


def parse(module: Any) -> RuleDoc:
    """The parts of a rule module's docstring (raises ValueError when it is malformed)."""
    doc = (module.__doc__ or "").strip("\n")
    head, _, rest = doc.partition("\n\n")
    prefix = f"{module.ID}: "
    if not head.startswith(prefix):
        raise ValueError(f"{module.ID}: the docstring must start with '{prefix}'")
    lines = rest.split("\n")
    start = next((i for i, line in enumerate(lines) if _EXAMPLE.match(line)), len(lines))
    return RuleDoc(module.ID, module.SEVERITY, " ".join(head[len(prefix):].split()),
                   "\n".join(lines[:start]).strip("\n"), _examples(module.ID, lines[start:]),
                   getattr(module, "LEVEL", ""), module.OPTIONS,
                   getattr(module, "CHOICES", {}), getattr(module, "FORMERLY", None))


def _examples(rule_id: str, lines: list[str]) -> list[Example]:
    out: list[Example] = []
    for line in lines:
        match = _EXAMPLE.match(line)
        if match:
            kind, name, told = match.groups()
            out.append(Example(kind, told or "", name or "", bool(told)))
        elif out and not out[-1].told and (line.startswith("    ") or not line.strip()):
            out[-1].text += line[4:] + "\n"
        else:
            raise ValueError(f"{rule_id}: examples come last, their code indented 4 spaces "
                             f"(this line is neither: {line!r})")
    for example in out:
        if not example.told:
            example.text = example.text.strip("\n") + "\n"
    return out


def _default(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _options(rule: RuleDoc, rules: Mapping[str, Any]) -> str:
    split_off = {(m.FORMERLY[0], m.FORMERLY[1]): rule_id for rule_id, m in rules.items()
                 if hasattr(m, "FORMERLY")}
    items = []
    for name, value in rule.options.items():
        text = f"`{name} = {_default(value)}`"
        if name in rule.choices:
            text += f" (one of {', '.join(f'`{c}`' for c in rule.choices[name])})"
        moved = split_off.get((rule.id, name))
        if moved:
            text += f" (deprecated: `false` turns off [`{moved}`](#{moved}); kept for " \
                    "settings written before that rule had an id of its own)"
        items.append(text)
    return "; ".join(items)


def section(rule_id: str, rules: Mapping[str, Any], heading: str = "###") -> str:
    """One rule's documentation in Markdown, under `heading` (docs/lint.md, SARIF help)."""
    rule = parse(rules[rule_id])
    facts = [f"**Level** {rule.level or rule.severity}"]
    options = _options(rule, rules)
    if options:
        facts.append(f"**Options** (`[tool.bootstrapper.lint.rules.{rule_id}]`) {options}")
    facts.append(f"**Suppress** `# bootstrapper: disable={rule_id}`, or `--disable {rule_id}`")
    out = [f"{heading} `{rule_id}`", "", _sentence(rule.summary), "", " · ".join(facts)]
    if rule.formerly:
        old, option = rule.formerly
        out += ["", f"Once part of `{old}` (switched by its `{option}` option). What was "
                    f"written for `{old}` before the split still covers it: `disable={old}` "
                    f"suppressions, baseline entries recorded as `{old}`, and `{old}` in the "
                    f"settings (disabled, its severity, `{option} = false`), unless "
                    f"`{rule_id}` is configured itself."]
    if rule.body:
        out += ["", rule.body]
    for example in rule.examples:
        if example.told:
            out += ["", f"{example.kind}: {example.text}"]
        else:
            label = f"{example.kind} (`{example.name}`)" if example.name else example.kind
            out += ["", label, f"```{example.fence}", example.text.rstrip("\n"), "```"]
    return "\n".join(out) + "\n"


def _sentence(summary: str) -> str:
    return summary[:1].upper() + summary[1:]


def table(rules: Mapping[str, Any]) -> str:
    rows = ["| rule | default | finds |", "|---|---|---|"]
    for rule_id, module in rules.items():
        rule = parse(module)
        finds = rule.summary.rstrip(".").replace("|", "\\|")
        rows.append(f"| [`{rule_id}`](#{rule_id}) | {rule.level or rule.severity} | {finds} |")
    return "\n".join(rows) + "\n"


def generated(rules: Mapping[str, Any]) -> str:
    """The region of docs/lint.md between the markers, markers included."""
    parts = [BEGIN, "", table(rules)]
    parts += [section(rule_id, rules) for rule_id in rules]
    return "\n".join(parts) + "\n" + END


def listing(rules: Mapping[str, Any]) -> str:
    """`bootstrapper lint --list-rules`: id, default level, what it finds, one rule a line."""
    width = max(map(len, rules))
    docs = [parse(module) for module in rules.values()]
    level = max(len(d.level or d.severity) for d in docs)
    return "".join(f"{d.id:<{width}}  {d.level or d.severity:<{level}}  "
                   f"{d.summary.rstrip('.')}\n" for d in docs)


def update(text: str, rules: Mapping[str, Any]) -> str:
    """`text` (docs/lint.md) with the region between the markers generated anew."""
    try:
        start, end = text.index(BEGIN), text.index(END) + len(END)
    except ValueError:
        raise ValueError(f"the markers are missing: {BEGIN} ... {END}") from None
    return text[:start] + generated(rules) + text[end:]


def main(argv: list[str]) -> int:
    from .rules import RULES

    if not argv:
        sys.stdout.write(generated(RULES) + "\n")
        return 0
    if len(argv) != 2 or argv[0] != "--write":
        sys.stderr.write("usage: python -m bootstrapper.lint.ruledocs [--write docs/lint.md]\n")
        return 2
    path = Path(argv[1])
    try:
        path.write_text(update(path.read_text(encoding="utf-8"), RULES), encoding="utf-8")
    except (OSError, ValueError) as err:
        sys.stderr.write(f"ruledocs: {path}: {getattr(err, 'strerror', None) or err}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
