"""Formatters: a Report → the text to print. Pure functions; only the CLI prints.

text    a header naming the cloud-config schema and cloud-init release (when a
        cloud-config was checked); `file:line:col: rule: message [severity]`, grouped by
        file, a summary line;
        colour when asked (the CLI asks on a TTY unless NO_COLOR is set)
json    {"files": [{"path", "format", "findings": [{"rule", "severity", "line", "column",
        "message"}]}], "schema": ...}
sarif   SARIF 2.1.0 for code-scanning UIs (GitHub, GitLab, Azure DevOps): URIs relative to
        the repository (%SRCROOT%), line-independent partialFingerprints, rules with
        help.markdown and, for security rules, a security-severity
github  GitHub Actions workflow commands: annotations on the pull request's lines
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote
from typing import Any, Mapping

from .. import __version__
from .engine import Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_COLOURS = {"error": "31", "warning": "33", "info": "36"}


def text(report: Report, color: bool = False) -> str:
    def paint(code: str, value: str) -> str:
        return f"\033[{code}m{value}\033[0m" if color else value

    blocks = [f"cloud-config schema: {report.schema}"] if report.schema else []
    for result in report.files:
        if result.problems:
            lines = [paint("1", result.name)]
            for p in result.problems:
                where = f"{p.path}:{p.line}" + (f":{p.column}" if p.line and p.column else "")
                lines.append(f"{where}: {paint('2', p.rule)}: {p.message} "
                             f"{paint(_COLOURS[p.severity], '[' + p.severity + ']')}")
            blocks.append("\n".join(lines))
    blocks.append(_summary(report))
    return "\n\n".join(blocks) + "\n"


def _summary(report: Report) -> str:
    checked = len(report.files)
    dirty = sum(bool(f.problems) for f in report.files)
    counts = [(report.count(s), s) for s in ("error", "warning", "info")]
    if not dirty:
        return f"{checked} file{'s' * (checked != 1)} checked: no findings"
    parts = ", ".join(f"{n} {s}{'s' * (n != 1 and s != 'info')}" for n, s in counts if n)
    return f"{parts} in {dirty} of {checked} file{'s' * (checked != 1)}"


def as_json(report: Report) -> str:
    files = [{"path": result.name, "format": result.format,
              "findings": [{"rule": p.rule, "severity": p.severity, "line": p.line,
                            "column": p.column, "message": p.message}
                           for p in result.problems]}
             for result in report.files]
    return json.dumps({"files": files, "schema": report.schema}, indent=2) + "\n"


# GitHub code scanning ranks security findings by this score (>= 9 critical, >= 7 high,
# >= 4 medium): a key in user-data is readable by anything on the instance and in the
# launch template; a secret in the log by group adm and the console; a readable
# credentials file by local users; an IMDSv1 call breaks boot where v1 is off and is
# what an SSRF forges where it is on.
SECURITY_SEVERITY = {"hardcoded-secret": "9.0", "secret-in-log": "7.5",
                     "credential-file-mode": "7.0", "imdsv1": "5.5"}


def sarif(report: Report, rules: Mapping[str, Any], root: str | None = None) -> str:
    """SARIF 2.1.0; paths under `root` (default: the current directory, where CI runs from
    the repository's top) are relative URIs against %SRCROOT%, as code scanning wants."""
    ids = list(rules)
    base = Path(root or os.getcwd()).resolve()
    seen: Counter = Counter()
    results = [_sarif_result(p, ids, base, seen) for f in report.files for p in f.problems]
    run = {
        "tool": {"driver": {
            "name": "bootstrapper", "version": __version__, "semanticVersion": __version__,
            "informationUri": "https://pypi.org/project/ec2-bootstrapper/",
            "rules": [_sarif_rule(rule_id, rules) for rule_id in rules]}},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri() + "/"}},
        "results": results,
        "properties": {"schema": report.schema} if report.schema else {},
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]},
                      indent=2) + "\n"


def _sarif_rule(rule_id: str, rules: Mapping[str, Any]) -> dict:
    """A rule's metadata, from the source docs/lint.md is generated from (ruledocs)."""
    from .ruledocs import parse, section

    module = rules[rule_id]
    doc = (module.__doc__ or rule_id).strip()
    properties: dict[str, Any] = {"tags": ["correctness"], "precision": "high"}
    if rule_id in SECURITY_SEVERITY:
        properties.update(tags=["security"], **{"security-severity": SECURITY_SEVERITY[rule_id]})
    return {"id": rule_id, "name": "".join(w.title() for w in rule_id.split("-")),
            "shortDescription": {"text": parse(module).summary},
            "fullDescription": {"text": " ".join(doc.split())[:1000]},
            "help": {"text": doc, "markdown": section(rule_id, rules, heading="####")},
            "defaultConfiguration": {"level": _SARIF_LEVEL[module.SEVERITY]},
            "properties": properties}


def _sarif_result(problem, ids: list[str], base: Path, seen: Counter) -> dict:
    region: dict[str, int] = {"startLine": max(problem.line, 1)}
    if problem.line and problem.column:
        region["startColumn"] = problem.column
    location = _location(problem.path, base)
    result = {"ruleId": problem.rule, "level": _SARIF_LEVEL[problem.severity],
              "message": {"text": problem.message},
              "locations": [{"physicalLocation": {
                  "artifactLocation": location, "region": region}}],
              "partialFingerprints": {"bootstrapper/v1": _fingerprint(problem, location, seen)}}
    if problem.rule in ids:
        result["ruleIndex"] = ids.index(problem.rule)
    return result


def _fingerprint(problem, location: dict, seen: Counter) -> str:
    """Stable across edits that move lines: file, rule and message (its line numbers
    blanked), and which occurrence of that it is in the file."""
    message = re.sub(r"\bline \d+", "line N", problem.message)
    digest = hashlib.sha256("\0".join((location["uri"], problem.rule, message))
                            .encode("utf-8")).hexdigest()[:32]
    seen[digest] += 1
    return f"{digest}:{seen[digest]}"


def _location(path: str, base: Path) -> dict:
    """A path under `base` as a URI relative to %SRCROOT%; others as file URIs."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.resolve().relative_to(base)
        except ValueError:
            return {"uri": candidate.as_uri()}
    elif path != "-" and not path.startswith("<"):
        try:
            candidate = (base / candidate).resolve().relative_to(base)
        except ValueError:
            return {"uri": (base / candidate).resolve().as_uri()}
    return {"uri": quote(candidate.as_posix(), safe="/"), "uriBaseId": "%SRCROOT%"}


def github(report: Report) -> str:
    lines = []
    for result in report.files:
        for p in result.problems:
            kind = {"error": "error", "warning": "warning", "info": "notice"}[p.severity]
            where = f"file={_escape(p.path, True)}"
            if p.line:
                where += f",line={p.line}" + (f",col={p.column}" if p.column else "")
            lines.append(f"::{kind} {where},title={_escape('bootstrapper ' + p.rule, True)}"
                         f"::{_escape(p.message)}")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _escape(value: str, property_: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if property_ else value


FORMATS = ("text", "json", "sarif", "github")
