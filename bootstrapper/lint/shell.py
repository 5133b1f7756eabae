"""A small POSIX shell reader: script text → simple commands with words and redirections.

The rules that look at what a script *does* (imdsv1, secret-in-log, credential-file-mode)
need commands, not lines: `a; b` is two commands, `x=$(curl ...)` runs curl with its
output captured, `{ printf ...; } >file` sends printf to a file, and a quoted
here-document that starts with `#!/bin/sh` is a script of its own. This reader knows
exactly that much shell and no more; it never raises, whatever the input.

Words keep expansions as written (`$IMDS$2`, `${TOKEN}`, `$(cmd)`) with quotes removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PLAIN = re.compile(r"[^\s'\"\\$`;&|<>()#]+")
_QUOTED_PLAIN = re.compile(r'[^"\\$`\n]+')
_BLANK = re.compile(r"[ \t\r\f\v]+")
_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])?\+?=(.*)$", re.S)
_REDIRECT = re.compile(r"&>>|&>|>>|>\||>&|<<<|<<-|<<|<&|<>|>|<")
_SHELL_SHEBANG = re.compile(r"#!\s*(/usr)?/bin/(env\s+)?(sh|dash|ash|bash|ksh)\b")
_OPENERS = {"if": "fi", "while": "done", "until": "done", "for": "done", "select": "done",
            "case": "esac"}
_CLOSERS = {"fi", "done", "esac"}
_SKIPPED = {"then", "do", "else", "elif", "!", "time", "in"}
_DECLARERS = {"export", "local", "readonly", "declare", "typeset"}


@dataclass(eq=False)
class Group:
    """A brace group, subshell, loop, `if` or function body: its redirections apply to
    every command inside it."""

    kind: str
    parent: Group | None = None
    name: str = ""  # a function's name
    redirects: list[tuple[str, str]] = field(default_factory=list)


@dataclass(eq=False)
class Command:
    """One simple command at 1-based script `line`."""

    line: int
    words: list[str] = field(default_factory=list)
    assigns: list[tuple[str, str]] = field(default_factory=list)
    redirects: list[tuple[str, str]] = field(default_factory=list)
    group: Group | None = None
    piped: bool = False  # its stdout feeds a pipe
    captured: bool = False  # inside $(...) or `...`: its stdout is a value, not output
    stdin_text: str = ""  # the here-document it reads, if any
    pipe_to: Command | None = None  # the next command of its pipeline

    @property
    def name(self) -> str:
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""

    @property
    def args(self) -> list[str]:
        return self.words[1:]

    def all_redirects(self) -> list[tuple[str, str]]:
        """Its own redirections, then those of every group around it, innermost first."""
        out = list(self.redirects)
        group = self.group
        while group is not None:
            out += group.redirects
            group = group.parent
        return out

    @property
    def function(self) -> str:
        group = self.group
        while group is not None:
            if group.kind == "function":
                return group.name
            group = group.parent
        return ""


@dataclass(eq=False, repr=False)  # shown by no one
class _Heredoc:
    """A here-document whose body is still to be read."""

    delimiter: str
    quoted: bool
    strip_tabs: bool
    command: Command | None = None


class _Reader:
    def __init__(self, text: str, first_line: int, captured: bool, out: list[Command]) -> None:
        self.text, self.pos, self.line = text, 0, first_line
        self.captured, self.out = captured, out
        self.group: Group | None = None
        self.pending_function = ""
        self.heredocs: list[_Heredoc] = []
        self.pipe_from: Command | None = None
        self._new_command()

    # --- commands and words ------------------------------------------------------------

    def _new_command(self) -> None:
        self.cmd = Command(self.line, group=self.group, captured=self.captured)
        self.word: list[str] | None = None
        self.quoted = False  # the word being read had quotes (matters for <<'EOF')
        self.redirect_op = ""
        self.closing: Group | None = None  # a group just closed: redirects after it are its

    def _end_word(self) -> None:
        if self.word is None:
            return
        word, self.word = "".join(self.word), None
        if self.redirect_op:
            self._add_redirect(self.redirect_op, word, self.quoted)
        elif not self.cmd.words and self._keyword(word):
            pass
        elif not self.cmd.words and _ASSIGN.match(word):
            self.cmd.assigns.append(_ASSIGN.match(word).groups())
        else:
            if self.cmd.words and self.cmd.words[0] in _DECLARERS and _ASSIGN.match(word):
                self.cmd.assigns.append(_ASSIGN.match(word).groups())
            self.cmd.words.append(word)

    def _add_redirect(self, op: str, target: str, quoted: bool = False) -> None:
        self.redirect_op = ""
        if op in ("<<", "<<-"):
            self.heredocs.append(_Heredoc(target, quoted, op == "<<-"))
        (self.closing.redirects if self.closing else self.cmd.redirects).append((op, target))

    def _keyword(self, word: str) -> bool:
        """Handle a reserved word at the start of a command; True when it was one."""
        if self.closing is not None:
            return False
        if word in _OPENERS:
            self._push(word)
        elif word in _CLOSERS or word == "}":
            self._pop(word)
        elif word == "{":
            self._push("function" if self.pending_function else "{")
        elif word == "function":
            self.pending_function = "?"
        elif self.pending_function == "?":
            self.pending_function = word
        elif word not in _SKIPPED:
            return False
        return True

    def _push(self, kind: str) -> None:
        self.group = Group(kind, self.group, name=self.pending_function if kind == "function" else "")
        self.pending_function = ""
        self.cmd.group = self.group

    def _pop(self, word: str) -> None:
        want = {"}": ("{", "function"), "fi": ("if",), "esac": ("case",)}.get(
            word, ("while", "until", "for", "select"))
        group = self.group
        while group is not None and group.kind not in want:
            group = group.parent
        if group is not None:
            self.group = group.parent
            self.cmd.group = self.group
            self.closing = group

    def _end_command(self, piped: bool = False) -> None:
        self._end_word()
        cmd = self.cmd
        if cmd.words or cmd.assigns or (cmd.redirects and not self.closing):
            cmd.piped = piped
            self.out.append(cmd)
            for heredoc in self.heredocs:
                heredoc.command = heredoc.command or cmd
            if self.pipe_from is not None:
                self.pipe_from.pipe_to = cmd
            self.pipe_from = cmd if piped else None
        self._new_command()

    def _append(self, text: str, quoted: bool = False) -> None:
        if self.word is None:
            self.word = []
            self.quoted = False
            if not self.cmd.words and not self.cmd.assigns:
                self.cmd.line = self.line
        self.word.append(text)
        self.quoted = self.quoted or quoted

    # --- the scan ----------------------------------------------------------------------

    def run(self) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            plain = _PLAIN.match(text, self.pos)
            if plain:
                self._append(plain.group())
                self.pos = plain.end()
            elif char in " \t\r\f\v":
                self._end_word()
                self.pos = _BLANK.match(text, self.pos).end()
            elif char == "\n":
                self.pos += 1
                self._end_command()
                self.line += 1
                self._read_heredocs()
            else:
                self._special(char)
        self._end_command()

    def _special(self, char: str) -> None:
        text, pos = self.text, self.pos
        if char == "\\":
            if text.startswith("\\\n", pos):
                self.line += 1
            else:
                self._append(text[pos + 1:pos + 2], quoted=True)
            self.pos = pos + 2
        elif char == "#" and self.word is None:
            end = text.find("\n", pos)
            self.pos = len(text) if end < 0 else end
        elif char == "#":
            self._append("#")
            self.pos += 1
        elif char == "'":
            end = text.find("'", pos + 1)
            end = len(text) if end < 0 else end
            self._append(text[pos + 1:end], quoted=True)
            self.line += text.count("\n", pos, end)
            self.pos = end + 1
        elif char == '"':
            self._double_quoted()
        elif char in "$`":
            self._expansion()
        elif char in ";&|":
            self._operator()
        elif char in "<>":
            self._redirect()
        else:
            self._paren(char)

    def _operator(self) -> None:
        text, pos = self.text, self.pos
        if text.startswith("&>", pos):
            self._redirect()
            return
        op = text[pos:pos + 2] if text[pos:pos + 2] in (";;", "&&", "||", "|&") else text[pos]
        self.pos = pos + len(op)
        self._end_command(piped=op in ("|", "|&"))

    def _redirect(self) -> None:
        match = _REDIRECT.match(self.text, self.pos)
        op = match.group()
        self.pos = match.end()
        if self.word is not None and "".join(self.word).isdigit():
            op, self.word = "".join(self.word) + op, None  # 2>file: the fd is part of the op
        else:
            self._end_word()
        if op.endswith(">&") or op.endswith("<&"):
            target = re.match(r"[0-9]+-?|-", self.text[self.pos:])
            if target:
                self.pos += target.end()
                self._add_redirect(op, "&" + target.group())
                return
        self.redirect_op = op

    def _paren(self, char: str) -> None:
        self.pos += 1
        if char == "(":
            self._end_function_name()
            if self.pending_function and self.text.startswith(")", self.pos):
                self.pos += 1
            elif self.word is not None:  # arr=( a b ): keep it as one word
                end = balanced(self.text, self.pos, "(", ")")
                self._append("(" + self.text[self.pos:end + 1])
                self.pos = end + 1
            else:
                self._end_word()
                self._push("(")
                self.cmd.line = self.line
        elif self.group is not None and self.group.kind == "(":
            self._end_command()
            self._pop_subshell()
        else:  # a case pattern's closing parenthesis
            self.word = None
            self._new_command()

    def _end_function_name(self) -> None:
        """`name()` or `name ()` followed by `)`: a function definition, not a command."""
        rest = self.text[self.pos:self.pos + 1]
        if rest != ")":
            return
        if self.word is not None and not self.cmd.words:
            self.pending_function, self.word = "".join(self.word), None
        elif self.word is None and len(self.cmd.words) == 1:
            self.pending_function = self.cmd.words.pop()

    def _pop_subshell(self) -> None:
        group = self.group
        self.group = group.parent
        self.cmd.group = self.group
        self.closing = group

    def _double_quoted(self) -> None:
        text, pos = self.text, self.pos + 1
        parts = []
        while pos < len(text) and text[pos] != '"':
            run = _QUOTED_PLAIN.match(text, pos)
            if run:
                parts.append(run.group())
                pos = run.end()
                continue
            char = text[pos]
            if char == "\\" and pos + 1 < len(text):
                parts.append(text[pos + 1] if text[pos + 1] in '"\\$`' else text[pos:pos + 2])
                pos += 2
            elif char in "$`":
                self._append("".join(parts))
                parts = []
                self.pos = pos
                self._expansion()
                pos = self.pos
            else:
                self.line += char == "\n"
                parts.append(char)
                pos += 1
        self._append("".join(parts), quoted=True)
        self.pos = pos + 1

    def _expansion(self) -> None:
        text, pos = self.text, self.pos
        if text.startswith("$((", pos):
            end = balanced(text, pos + 2, "(", ")")
            self._append(text[pos:end + 1])
        elif text.startswith("$(", pos) or text[pos] == "`":
            backtick = text[pos] == "`"
            start = pos + (1 if backtick else 2)
            end = text.find("`", start) if backtick else balanced(text, start, "(", ")")
            end = len(text) if end < 0 else end
            parse(text[start:end], self.line, captured=True, out=self.out)
            self._append(text[pos:end + 1])
            self.line += text.count("\n", pos, end)
        elif text.startswith("${", pos):
            end = balanced(text, pos + 2, "{", "}")
            self._append(text[pos:end + 1])
        else:
            self._append("$")
            end = pos
        self.pos = end + 1

    def _read_heredocs(self) -> None:
        """Consume the bodies of here-documents whose command ended on the line before."""
        heredocs, self.heredocs = self.heredocs, []
        for heredoc in heredocs:
            start_line = self.line
            lines = []
            while self.pos < len(self.text):
                end = self.text.find("\n", self.pos)
                end = len(self.text) if end < 0 else end
                line = self.text[self.pos:end]
                self.pos, self.line = end + 1, self.line + 1
                if (line.lstrip("\t") if heredoc.strip_tabs else line) == heredoc.delimiter:
                    break
                lines.append(line)
            body = "\n".join(lines) + "\n"
            if heredoc.command is not None:
                heredoc.command.stdin_text = body
            if heredoc.quoted and _SHELL_SHEBANG.match(body):
                parse(body, start_line, out=self.out)  # an installed script: its own scope


def balanced(text: str, pos: int, open_: str, close: str) -> int:
    """Index of the `close` that balances an `open_` just before `pos` (quotes respected)."""
    depth = 1
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char in "'\"":
            end = text.find(char, pos + 1)
            pos = len(text) if end < 0 else end + 1
            continue
        if char == open_:
            depth += 1
        elif char == close:
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    return len(text)


def parse(text: str, first_line: int = 1, captured: bool = False,
          out: list[Command] | None = None) -> list[Command]:
    """The simple commands of `text`, in order of appearance (nested ones after their
    enclosing command's start). Line numbers are 1-based from `first_line`."""
    commands: list[Command] = [] if out is None else out
    _Reader(text, first_line, captured, commands).run()
    if out is None:
        commands.sort(key=lambda c: c.line)
    return commands

