"""What extraction produces: a tree of documents, and the scripts found inside them.

A user-data file is a layer cake (base64 → gzip → MIME → parts). Each layer is a
`Document`; each script a rule can read (a whole `#!` script, a `runcmd` entry, a
`write_files` script) is a `Snippet`. Rules report in document coordinates; `to_file()`
maps them back to the line of the file on disk, or, inside an encoding, to the line
that carries the encoded blob plus a note saying where inside it the finding is.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Iterator

from ..problem import Problem
from .types import SHELLS

__all__ = ["SHELLS", "Document", "Snippet"]


@dataclass(eq=False)
class Snippet:
    """A script inside a document: snippet line n is document line `line + n`.

    `exact` is False for content that was decoded (a base64 `write_files` entry): then
    every finding points at line `line + 1` and names the line inside the content.
    """

    text: str
    line: int = 0
    column: int = 0
    language: str = "sh"  # one of SHELLS, or python, powershell, text
    role: str = "script"  # script | command (runcmd/bootcmd string) | argv | file | heredoc
    where: str = ""  # e.g. "runcmd[2]", "write_files[0] /usr/local/bin/x"
    path: str = ""  # the file a write_files entry writes
    exact: bool = True
    # script line n (1-based) → (document line, column) of line n when the script was
    # assembled from several places (runcmd entries joined as cloud-init writes them)
    line_map: list[tuple[int, int]] | None = None
    # bootstrapper's own helper whose body is a copy the test suite checked: `text` is its
    # configuration alone (what the rules still judge), `whole` the script as installed
    ours: bool = False
    whole: str | None = None

    @property
    def has_shebang(self) -> bool:
        return self.text.startswith("#!")

    @cached_property
    def commands(self) -> list:
        """Shell commands (tokenised once, shared by every rule that needs them)."""
        from ..lint.shell import parse  # lazy: the tokenizer is lint's (only rules ask)

        return parse(self.text) if self.language in SHELLS else []

    def locate(self, line: int, column: int = 0) -> tuple[int, int, str]:
        """(document line, document column, note) for snippet `line`/`column`."""
        if not self.exact:
            return self.line + 1, 0, f" ({self.where}, line {line})"
        if self.line_map is not None:
            if not 0 < line <= len(self.line_map):
                return self.line_map[0][0] if self.line_map else self.line, 0, ""
            at, base = self.line_map[line - 1]
            return at, (column + base if column else 0), ""
        return self.line + line, (column + self.column if column else 0), ""


@dataclass(eq=False)
class Document:
    """One layer of a user-data file. `kind` says what it is; `children` its contents."""

    path: str
    kind: str
    text: str = ""
    size: int = 0  # bytes of this layer as stored
    offset: int | None = 0  # file line = document line + offset; None: inside an encoding
    anchor: int = 1  # the file line that stands for this document when it is encoded
    where: str = ""  # how to reach it, e.g. "base64 > gzip > part 2 (setup.sh)"
    children: list[Document] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # a MIME part's headers
    note: str = ""  # why an unknown or broken layer is so
    snippets: list[Snippet] = field(default_factory=list)
    config: Any = None  # cloudconfig.Parsed for cloud-config documents
    templated: bool = False  # rendered from Jinja with placeholders
    content_type: str = ""  # the type cloud-init handles it as (text/cloud-config, ...)
    warnings: list[str] = field(default_factory=list)  # defects cloud-init tolerates
    faults: list[str] = field(default_factory=list)  # what makes cloud-init see no user-data
    carriers: tuple = ()  # what hands it to EC2 (launch templates in a .tf), when known
    data: bytes | None = None  # this layer's exact bytes as cloud-init gets them
    filename: str = ""  # a MIME part's file name (cloud-init names it part-NNN without)

    @property
    def content(self) -> bytes:
        """The exact bytes (CRLF and all) of this layer."""
        return self.data if self.data is not None else self.text.encode("utf-8")

    def walk(self) -> Iterator[Document]:
        yield self
        for child in self.children:
            yield from child.walk()

    def problem(self, line: int, column: int, rule: str, severity: str, message: str) -> Problem:
        """A Problem at `line` of this document (not yet mapped to the file)."""
        return Problem(self.path, line, column, rule, severity, message)

    def to_file(self, problem: Problem) -> Problem:
        """Map a Problem from this document's lines to the file's lines."""
        if self.offset is None:
            inside = f", line {problem.line}" if problem.line else ""
            return replace(problem, line=self.anchor, column=0,
                           message=f"{problem.message} (in {self.where}{inside})")
        if not problem.line:
            return replace(problem, line=self.anchor if self.where else 0)
        return replace(problem, line=problem.line + self.offset)

    @property
    def format(self) -> str:
        """The layers down to the content, e.g. `base64+gzip+cloud-config`."""
        kinds = [self.kind]
        node = self
        while node.kind in ("base64", "gzip", "jinja") and node.children:
            node = node.children[0]
            kinds.append(node.kind)
        return "+".join(kinds)
