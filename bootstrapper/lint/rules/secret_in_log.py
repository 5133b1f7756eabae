"""secret-in-log: a script that prints credentials where cloud-init logs them
(echo/printf/logger/printenv/`cat` of a credentials file, a printing function, `set -x`).

cloud-init copies everything user-data scripts print into
`/var/log/cloud-init-output.log` (readable by group `adm`) and often onto the serial
console, which `ec2 get-console-output` returns to anyone allowed `GetConsoleOutput`. Write
credentials to a file the app reads (mode 0600), never to standard output or standard error.

A *credential* is a variable named like one (`AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
`DB_PASSWORD`, `API_KEY`, `*TOKEN`, `*SECRET*`, `githubToken`; not `TOKEN_TTL`,
`SECRET_ARN`, `*_FILE`, `*_URL`, `*_ID`), or one assigned from a credential source
(`.../security-credentials/ROLE`, `SecretAccessKey`, `Token`, `get-secret-value`,
`--with-decryption`), or derived from one (`$(echo "$SECRET" | base64)`; a request that
only *sends* a token, `$(curl -H "...: $TOKEN" ...)`, does not make its answer secret).

*Printing* is `echo`/`printf`/`print` whose standard output reaches the log (also through
`tee`), `logger`, `printenv NAME`, `cat`/`head`/`tail` of a credentials file, a call to a
function of the script that prints the argument the credential is passed as, and
`set -x`/`set -o xtrace`/`#!/bin/sh -x` while a command expands (or assigns) a credential
(the trace shows expanded values). Output redirected to a file (also by an enclosing `{
...; } >file`, subshell or loop), captured by `$(...)`, or piped to another program is not
printed; `>&2`, `/dev/console` and `/dev/stderr` are. Python `print`/`logging` and
PowerShell `Write-Host`/`Write-Output` lines naming a secret are reported too.

An IMDSv2 session token (a variable assigned from `PUT .../api/token`) traced by `set -x`
is a warning, not an error, and the message says why: it is a credential (it reads the
role's keys) but only from that instance and only until its TTL ends. A real secret later
in the same trace is still the error.

FAIL:
    #!/bin/sh
    echo "key: $AWS_SECRET_ACCESS_KEY"
PASS:
    #!/bin/sh
    printf 'AWS_SECRET_ACCESS_KEY=%s\\n' "$AWS_SECRET_ACCESS_KEY" >"$ENV_FILE"
"""

from __future__ import annotations

import re

from ..secrets import credential_variables, is_credential_name, is_credential_path

ID = "secret-in-log"
SEVERITY = "error"
OPTIONS: dict = {}
_VARIABLE = re.compile(r"\$\{?#?([A-Za-z_][A-Za-z0-9_]*)")
_POSITIONAL = re.compile(r"\$\{?([1-9*@])")
_LOG_DEVICES = re.compile(r"^/dev/(stdout|stderr|console|tty\w*|kmsg)$|^/proc/self/fd/[12]$")
_PRINTERS = ("echo", "printf", "print")
_PY_PRINT = re.compile(r"\b(print|logging\.\w+|log\w*\.(?:info|debug|warning|error)|"
                       r"sys\.std(?:out|err)\.write)\s*\(.*(secret|password|passwd|token|"
                       r"SecretAccessKey|SessionToken)", re.I)
_PS_PRINT = re.compile(r"\b(Write-Host|Write-Output|Write-Verbose|Write-Information|echo)\b"
                       r".*\$(env:)?\w*(secret|password|token)\w*", re.I)


def check(doc, ctx):
    for snippet in doc.snippets:
        if snippet.role == "heredoc":
            continue
        if snippet.language == "python":
            found = _regex_lines(snippet.text, _PY_PRINT)
        elif snippet.language == "powershell":
            found = _regex_lines(snippet.text, _PS_PRINT)
        elif snippet.commands:
            found = _shell(snippet)
        else:
            continue
        for line, message, *severity in found:
            at, column, note = snippet.locate(line)
            yield doc.problem(at, column, ID, severity[0] if severity else SEVERITY,
                              message + note)


def _regex_lines(text: str, pattern: re.Pattern):
    for number, line in enumerate(text.split("\n"), 1):
        if pattern.search(line):
            yield number, "prints a credential: the output lands in cloud-init's log"


def _shell(snippet):
    commands = snippet.commands
    secret = credential_variables(commands)
    printing = _printing_functions(commands)
    for cmd in commands:
        shown = _printed_secret(cmd, secret, printing)
        if shown:
            yield cmd.line, f"{cmd.name} prints {shown}: the output lands in cloud-init's log"
    yield from _xtrace(snippet, commands, secret)


def _refs(words: list[str], secret: set[str]) -> str:
    for word in words:
        for name in _VARIABLE.findall(word):
            if name in secret:
                return f"${name}"
    return ""


def _logged(cmd) -> bool:
    """True when the command's standard output ends up in the cloud-init log."""
    if cmd.captured or cmd.piped:
        return False
    for op, target in cmd.all_redirects():
        if op.startswith("2") or op.startswith("<"):
            continue
        if op.endswith(">&"):
            return target in ("&1", "&2")
        return bool(_LOG_DEVICES.match(target))
    return True


def _printed_secret(cmd, secret: set[str], printing: dict[str, set]) -> str:
    name, args = cmd.name, cmd.args
    if name in _PRINTERS and "-v" not in args[:1]:
        shown = _refs(args, secret)
        if shown and (_logged(cmd) or _into_tee(cmd)):
            return shown
    elif name == "logger":
        return _refs(args, secret)
    elif name == "printenv" and _logged(cmd):
        return next((f"${a}" for a in args if a in secret or is_credential_name(a)), "")
    elif name in ("cat", "head", "tail", "more", "less") and _logged(cmd):
        if any(is_credential_path(a) and a.startswith(("/", "~", "$HOME")) for a in args):
            return "a credentials file"
        if cmd.stdin_text and _refs([cmd.stdin_text], secret):
            return _refs([cmd.stdin_text], secret)
    elif name in printing and _logged(cmd):
        positions = printing[name]
        chosen = args if "all" in positions else [a for i, a in enumerate(args, 1) if i in positions]
        return _refs(chosen, secret)
    return ""


def _into_tee(cmd) -> bool:
    tee = cmd.pipe_to
    return tee is not None and tee.name == "tee" and _logged(tee)


def _printing_functions(commands) -> dict[str, set]:
    """Functions of the script that print (some of) their arguments: name → positions."""
    bodies: dict[str, list] = {}
    for cmd in commands:
        if cmd.function:
            bodies.setdefault(cmd.function, []).append(cmd)
    printing: dict[str, set] = {}
    changed = True
    while changed:
        changed = False
        for function, body in bodies.items():
            positions = set(printing.get(function, set()))
            for cmd in body:
                positions |= _printed_positions(cmd, printing)
            if positions != printing.get(function, set()) and positions:
                printing[function] = positions
                changed = True
    return printing


def _printed_positions(cmd, printing: dict[str, set]) -> set:
    if cmd.name in _PRINTERS and _logged(cmd) or cmd.name == "logger":
        words = cmd.args
    elif cmd.name in printing and _logged(cmd):
        wanted = printing[cmd.name]
        words = [a for i, a in enumerate(cmd.args, 1) if "all" in wanted or i in wanted]
    else:
        return set()
    found = set()
    for word in words:
        for ref in _POSITIONAL.findall(word):
            found.add("all" if ref in "*@" else int(ref))
    return found


def _session_tokens(commands) -> set[str]:
    """Variables holding an IMDSv2 session token (assigned from `PUT .../api/token`)."""
    return {name for cmd in commands for name, value in cmd.assigns
            if "api/token" in value and re.search(r"PUT", value)}


def _xtrace(snippet, commands, secret: set[str]):
    """`set -x` while a command expands a credential: the trace prints its value. An IMDSv2
    session token alone is a warning: it is a credential, but only from this instance and
    only until its TTL ends."""
    tokens = _session_tokens(commands)
    token_only = None
    for (start, used), shown in _traced(snippet, commands, secret):
        if shown.lstrip("$") not in tokens:
            yield start, _traced_message(used, shown)
            return
        token_only = token_only or (start, used, shown)
    if token_only:
        start, used, shown = token_only
        yield start, _traced_message(used, shown) + (
            f"; {shown} is an IMDSv2 session token, usable only from this instance until "
            "its TTL ends, but meanwhile it reads the role's credentials: turn tracing off "
            "(set +x) around it"), "warning"


def _traced_message(used: int, shown: str) -> str:
    return f"set -x traces every command with its values, so line {used} prints {shown} " \
           "into cloud-init's log"


def _traced(snippet, commands, secret: set[str]):
    """((set -x line, using line), shown) for each traced command using a credential."""
    first = snippet.text.split("\n", 1)[0]
    start = 1 if snippet.has_shebang and re.search(r"\s-[a-z]*x", first) else 0
    for cmd in commands:
        if cmd.name == "set" and not cmd.function:
            flags = " ".join(cmd.args)
            if re.search(r"(^|\s)-[a-z]*x|-o xtrace", flags):
                start = start or cmd.line
            elif re.search(r"(^|\s)\+[a-z]*x|\+o xtrace", flags):
                start = 0
        elif start and not cmd.captured:
            words = cmd.words + [value for _, value in cmd.assigns]
            shown = _refs(words, secret) or next(
                (f"${name}" for name, _ in cmd.assigns if name in secret), "")
            if shown:
                yield (start, cmd.line), shown
