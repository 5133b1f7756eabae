"""Formatters: a Report → the text to print. Pure functions; only the CLI prints.

text    a header naming the cloud-config schema and cloud-init release (when a
        cloud-config was checked); `file:line:col: rule: message [severity]`, grouped by
        file, a summary line;
        colour when asked (the CLI asks on a TTY unless NO_COLOR is set)
json    {"files": [{"path", "format", "findings": [{"rule", "severity", "line", "column",
        "message"}]}], "schema": ...}
sarif   SARIF 2.1.0 for code-scanning UIs (GitHub, GitLab, Azure DevOps)
github  GitHub Actions workflow commands: annotations on the pull request's lines
"""

from __future__ import annotations

import json
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


def sarif(report: Report, rules: Mapping[str, Any]) -> str:
    ids = list(rules)
    results = [_sarif_result(p, ids) for f in report.files for p in f.problems]
    run = {
        "tool": {"driver": {
            "name": "bootstrapper", "version": __version__, "semanticVersion": __version__,
            "informationUri": "https://pypi.org/project/bootstrapper/",
            "rules": [_sarif_rule(rule_id, module) for rule_id, module in rules.items()]}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"schema": report.schema} if report.schema else {},
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]},
                      indent=2) + "\n"


def _sarif_rule(rule_id: str, module: Any) -> dict:
    doc = (module.__doc__ or rule_id).strip()
    summary = doc.split("\n\n", 1)[0].split(":", 1)[-1].strip().replace("\n", " ")
    tags = ["security"] if rule_id in ("imdsv1", "hardcoded-secret", "secret-in-log",
                                       "credential-file-mode") else ["correctness"]
    return {"id": rule_id, "name": "".join(w.title() for w in rule_id.split("-")),
            "shortDescription": {"text": summary},
            "fullDescription": {"text": doc.replace("\n", " ")[:1000]},
            "help": {"text": doc},
            "defaultConfiguration": {"level": _SARIF_LEVEL[module.SEVERITY]},
            "properties": {"tags": tags}}


def _sarif_result(problem, ids: list[str]) -> dict:
    region: dict[str, int] = {"startLine": max(problem.line, 1)}
    if problem.line and problem.column:
        region["startColumn"] = problem.column
    result = {"ruleId": problem.rule, "level": _SARIF_LEVEL[problem.severity],
              "message": {"text": problem.message},
              "locations": [{"physicalLocation": {
                  "artifactLocation": {"uri": _uri(problem.path)}, "region": region}}]}
    if problem.rule in ids:
        result["ruleIndex"] = ids.index(problem.rule)
    return result


def _uri(path: str) -> str:
    """A relative path as a relative URI (code scanning resolves it from the repo root)."""
    candidate = Path(path)
    if candidate.is_absolute():
        return candidate.as_uri()
    return quote(candidate.as_posix(), safe="/")


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
