"""Run the rules over files: read → extract → per-document rules → batch rules → filter.

Per-document rules run file by file; batch rules (shellcheck) run once over the
documents of every file, which is what makes a 200-file run cost one shellcheck start
per dialect and core instead of one per script. Then each finding gets its configured
severity, is dropped if an inline directive suppresses it or it is under the severity
threshold, and is mapped to the line of the file.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterable

from ..errors import BootstrapperError
from ..problem import Problem
from . import directives
from .config import Settings
from .document import Document
from ..shellcheck import ShellcheckTimeout
from ..userdata.document import SHELLS
from ..userdata.limits import NOT_CHECKED, SIZE_CAP, shellcheck_budget
from ..userdata.tree import extract
from .rules import RULES, Context, names

if TYPE_CHECKING:
    from . import schemas
    from .discover import Input

MAX_READ = SIZE_CAP  # far past EC2's limit: anything bigger is not user-data
# A defect cloud-init tolerates (a MIME message without its closing boundary): reported
# by the reader itself, whatever rules run, as a warning of this id.
DEFECT = "mime-defect"
REFERENCE = "unknown-format"  # a UserData naming a file lint cannot follow
RANK = {"info": 1, "warning": 2, "error": 3}
Progress = Callable[[int, int, str], None]


@dataclass
class FileResult:
    """One file's findings, mapped to its lines, filtered and sorted."""

    name: str
    format: str
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Report:
    """The findings of one lint run, file by file."""

    files: list[FileResult]
    schema: str = ""  # which cloud-config schema was used, if any was needed

    def count(self, severity: str) -> int:
        return sum(p.severity == severity for f in self.files for p in f.problems)


@dataclass(eq=False, repr=False)  # compared and shown by no one
class _Work:
    """One file on its way through the rules."""

    result: FileResult
    root: Document
    found: list[tuple[Document, Problem]] = field(default_factory=list)
    line_map: tuple | None = None  # user-data inside another file: where each line is
    faults: tuple = ()  # discover.Fault: findings about how the file was reached


def lint(inputs: list[Input], settings: Settings, *, progress: Progress | None = None,
         stdin: BinaryIO | None = None, jobs: int | None = None) -> Report:
    """Lint `inputs` with `settings`; raises BootstrapperError for an unreadable file."""
    checker: list[schemas.Checker] = []

    def get_checker() -> schemas.Checker:
        if not checker:
            checker.append(_checker(settings.schema))
        return checker[0]

    jobs = jobs or _cores()
    active = {rule_id: module for rule_id, module in RULES.items()
              if settings.rule(rule_id).enabled}
    budget = shellcheck_budget()
    contexts = {rule_id: Context(settings.rule(rule_id).options, get_checker, jobs, budget)
                for rule_id in active}
    work = [_Work(FileResult(item.name, ""), _tree(item, stdin), line_map=item.line_map,
                  faults=item.faults) for item in inputs]
    return run(work, settings, active, contexts, progress, checker)


def check_tree(root: Document, settings: Settings, jobs: int = 1) -> list[Problem]:
    """The findings of `settings`' rules on one tree already read (render's validation).
    One job by default: a few scripts cost less in one shellcheck process than in several."""
    checker: list[schemas.Checker] = []

    def get_checker() -> schemas.Checker:
        if not checker:
            checker.append(_checker(settings.schema))
        return checker[0]

    active = {rule_id: RULES[rule_id] for rule_id in settings.rules
              if settings.rule(rule_id).enabled}
    budget = shellcheck_budget()
    contexts = {rule_id: Context(settings.rule(rule_id).options, get_checker, jobs, budget)
                for rule_id in active}
    work = [_Work(FileResult(root.path, ""), root)]
    return run(work, settings, active, contexts, None, checker).files[0].problems


def _checker(schema: str) -> schemas.Checker:
    """The schema checker, built when a rule first asks for it: a shell user-data (render
    --format shell) never does, and importing the schema code costs ~3 ms."""
    from . import schemas

    return schemas.Checker(schemas.load(schema))


def run(work: list[_Work], settings: Settings, active: dict, contexts: dict,
        progress: Progress | None, checker: list) -> Report:
    """The rules over trees already read: batch rules in threads, the rest here."""
    batch = _start_batch_rules(work, active, contexts)  # shellcheck runs meanwhile
    for done, entry in enumerate(work, 1):
        entry.result.format = entry.root.format
        for doc in entry.root.walk():
            entry.found += [(doc, doc.problem(0, 0, *_warning(warning), warning))
                            for warning in doc.warnings]
            if "unknown-format" in active:  # the reader's verdict: cloud-init sees no user-data
                entry.found += [(doc, doc.problem(0, 0, "unknown-format", "error", fault))
                                for fault in doc.faults]
            for rule_id, module in active.items():
                if hasattr(module, "check"):
                    entry.found += _checked(entry.result.name, rule_id, doc,
                                            lambda: module.check(doc, contexts[rule_id]))
        if progress:
            progress(done, len(work), "files")
    _finish_batch_rules(batch, progress, len(work))
    for entry in work:
        entry.result.problems = _finish(entry, settings)
    return Report([entry.result for entry in work],
                  checker[0].source.name if checker else "")


def _warning(text: str) -> tuple[str, str]:
    """(rule, severity) of a note of the reader: a MIME defect cloud-init tolerates is a
    warning; a script a bound kept from shellcheck is an error (the file was not fully
    checked, and the exit status must say so)."""
    if "MIME" in text:
        return DEFECT, "warning"
    return "shellcheck", "error" if text.endswith(NOT_CHECKED) else "warning"


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _tree(item: Input, stdin: BinaryIO | None) -> Document:
    if item.faults and not item.text:  # a reference that could not be followed
        return Document(item.name, "reference")
    root = extract(_read(item, stdin), item.name)
    root.carriers = item.carriers
    return root


def _placed(problem: Problem, line_map: tuple | None) -> Problem:
    """A finding in user-data written inside another file, at that file's line/column."""
    if not line_map:
        return problem
    index = min(max(problem.line, 1), len(line_map)) - 1
    line, right = line_map[index]
    return replace(problem, line=line, column=problem.column + right if problem.column else 0)


def _read(item: Input, stdin: BinaryIO | None) -> bytes:
    if item.text is not None:
        return item.text[:MAX_READ + 1]
    if item.path is None:
        return (stdin or sys.stdin.buffer).read(MAX_READ + 1)
    try:
        with open(item.path, "rb") as handle:
            return handle.read(MAX_READ + 1)
    except OSError as err:
        raise BootstrapperError(f"{item.name}: cannot read: {err.strerror or err}") from err


def _checked(name: str, rule_id: str, doc: Document, run: Callable[[], Iterable]) -> list:
    """The rule's findings as (Document, Problem) pairs. A rule that breaks on some input
    is a bug; the user gets one line naming the file and the rule, not a traceback."""
    try:
        return [item if isinstance(item, tuple) else (doc, item) for item in run()]
    except BootstrapperError:
        raise
    except Exception as err:  # noqa: BLE001 - reported, with the file, as exit 2
        raise BootstrapperError(f"{name}: rule {rule_id} failed on this file ({err!r}); "
                                "please report it, and --disable it meanwhile") from err


def _start_batch_rules(work: list[_Work], active: dict, contexts: dict) -> list:
    """Start each batch rule in a thread of its own: they wait on other processes
    (shellcheck), so the per-document rules run on this thread in the meantime."""
    owner = {id(doc): entry for entry in work for doc in entry.root.walk()}
    docs = [doc for entry in work for doc in entry.root.walk()]
    started = []
    for rule_id, module in active.items():
        if hasattr(module, "check_all"):
            outcome: dict = {}
            thread = threading.Thread(target=_collect, daemon=True, name=f"lint-{rule_id}",
                                      args=(module, docs, contexts[rule_id], outcome))
            thread.start()
            started.append((rule_id, thread, outcome, owner))
    return started


def _collect(module, docs, ctx, outcome: dict) -> None:
    try:
        outcome["found"] = list(module.check_all(docs, ctx))
    except BaseException as err:  # re-raised on the main thread, where the CLI reports it
        outcome["error"] = err


def _finish_batch_rules(started: list, progress: Progress | None, total: int) -> None:
    for rule_id, thread, outcome, owner in started:
        if progress and thread.is_alive():
            progress(total, total, rule_id)
        thread.join()
        error = outcome.get("error")
        if isinstance(error, ShellcheckTimeout):  # bounded: a finding, not a failed run
            outcome["found"] = [(doc, doc.problem(0, 0, rule_id, "warning", str(error)))
                                for doc in owner_docs(owner) if _shell_snippets(doc)]
            error = None
        if isinstance(error, BootstrapperError):
            raise error
        if error is not None:
            raise BootstrapperError(f"rule {rule_id} failed ({error!r}); please report it, "
                                    "and --disable it meanwhile") from error
        for doc, problem in outcome["found"]:
            owner[id(doc)].found.append((doc, problem))


def owner_docs(owner: dict) -> list[Document]:
    """The root document of every file (one finding per file, not per layer)."""
    roots = {id(work.root): work.root for work in owner.values()}
    return list(roots.values())


def _shell_snippets(root: Document) -> bool:
    return any(s.language in SHELLS for doc in root.walk() for s in doc.snippets)


def _covered(suppressions: directives.Suppressions, problem: Problem) -> bool:
    """Suppressed by its rule's id, or by the id the check had before a split (a
    `disable=schema` written for an unknown key before `unknown-key` existed)."""
    return any(suppressions.covers(problem.line, rule) for rule in names(problem.rule))


def _faults(entry: _Work, settings: Settings, threshold: int) -> list[Problem]:
    """The findings about a reference that could not be followed, at the referring line
    (rule unknown-format: EC2 gets no user-data lint could read). They obey the rule's
    settings like any finding; a directive in the referring file cannot reach them (the
    user-data is not there to hold one)."""
    if not settings.rule(REFERENCE).enabled:
        return []
    out = []
    for fault in entry.faults:
        severity = settings.rule(REFERENCE).severity or fault.severity
        if RANK[severity] >= threshold:
            out.append(Problem(entry.result.name, fault.line, fault.column, REFERENCE,
                               severity, fault.message))
    return out


def _finish(entry: _Work, settings: Settings) -> list[Problem]:
    """Configured severity, suppressions, threshold, file lines, order."""
    file_directives = directives.parse(entry.root.text)
    inner: dict[int, directives.Suppressions] = {}
    threshold = RANK[settings.severity]
    out = set()
    for doc, problem in entry.found:
        override = settings.rule(problem.rule).severity
        if override:
            problem = replace(problem, severity=override)
        if RANK[problem.severity] < threshold:
            continue
        if doc.offset is None:  # encoded: its own directives, in its own lines
            if id(doc) not in inner:
                inner[id(doc)] = directives.parse(doc.text)
            if _covered(inner[id(doc)], problem):
                continue
        mapped = doc.to_file(problem)
        if not _covered(file_directives, mapped):
            out.add(_placed(mapped, entry.line_map))
    out.update(_faults(entry, settings, threshold))
    return sorted(out, key=lambda p: (p.line, p.column, p.rule, p.message))
