"""imdsv1: a request to the instance metadata service (curl, wget, Python, PowerShell)
without an IMDSv2 session token.

Instances launched with `HttpTokens=required` (the default for new instance types, and
what every hardening guide asks for) answer a request without a token with 401, so the
script breaks; where IMDSv1 is still on, it is the request an SSRF can forge. Fix: get a
token with `PUT /latest/api/token` and send it as `X-aws-ec2-metadata-token` on every GET.

How a request is recognised. In shell, lint reads commands, not lines (`a; b`, `$(...)`,
pipelines and continuation lines are understood):

- a `curl` or `wget` command whose URL names `169.254.169.254` (also spelled in octal, hex
  or fewer parts, as `0251.254.169.254`, `0xa9fea9fe`, `2852039166`), `fd00:ec2::254` or
  `instance-data`, directly or through a variable assigned such a URL
  (`IMDS=http://169.254.169.254` then `curl "$IMDS/latest/..."`; what a command *prints*
  is data, so `ID=$(curl ...)` never makes `ID` an address), also inside `sh -c '...'`,
  `bash -c "..."`, `su - user -c '...'` and a `runcmd` entry `[sh, -c, "..."]`;
- in Python (scripts, `python3 -c`, here-documents fed to python): a line naming the
  endpoint, in a program that makes requests and never mentions the token header;
- in PowerShell: `Invoke-WebRequest`, `Invoke-RestMethod`, `iwr`, `irm`, `WebClient`
  naming the endpoint or a variable assigned it.

It is **not** IMDSv1 when the command carries the token header (`-H
"X-aws-ec2-metadata-token: $TOKEN"`) or takes its headers from somewhere lint cannot see,
which is how careful scripts keep the token out of `ps`: curl `-H @file`, `-H "$VAR"`,
`-K`/`--config FILE`; wget `--header="$VAR"`, `--config=FILE`, `-e header=...`; a
whole-word variable that may hold options (`curl $CURL_OPTS URL`, `curl "${opts[@]}"
URL`); PowerShell `-Headers`. The token request itself (`PUT .../api/token`) is not a
metadata read. These heuristics favour silence over false alarms: what `bootstrapper
render` emits (headers in a file) passes.

FAIL:
    #!/bin/sh
    curl -s http://169.254.169.254/latest/meta-data/instance-id
PASS:
    #!/bin/sh
    TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token \\
      -H "X-aws-ec2-metadata-token-ttl-seconds: 300")
    curl -s -H "X-aws-ec2-metadata-token: $TOKEN" \\
      http://169.254.169.254/latest/meta-data/instance-id
"""

from __future__ import annotations

import re

from ..words import without_substitutions

ID = "imdsv1"
SEVERITY = "error"
OPTIONS: dict = {}
_NAMED = re.compile(r"169\.254\.169\.254|fd00:ec2::254|//instance-data\b", re.I)
# 169.254.169.254 written as curl and wget also read it: octal or hex parts, fewer parts
# (0251.254.169.254, 0xa9fea9fe, 2852039166), as a URL's host or a bare host/path
_NUMERIC_HOST = re.compile(r"(?:(?<=//)|(?<![\w.$/-]))((?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|"
                           r"[0-9]+)){0,3})(?=[:/])", re.I)
IMDS_ADDRESS = 0xA9FEA9FE


class _Endpoint:
    """The metadata endpoint in any spelling: `ENDPOINT.search(text)` like a pattern."""

    @staticmethod
    def search(text: str):
        return _NAMED.search(text) or next(
            (m for m in _NUMERIC_HOST.finditer(text) if _address(m.group(1)) == IMDS_ADDRESS),
            None)


def _address(host: str) -> int | None:
    """The IPv4 address inet_aton(3) reads from `host` (1-4 parts, decimal/octal/hex)."""
    try:
        parts = [int(p, 16) if p.lower().startswith("0x") else int(p, 8)
                 if len(p) > 1 and p.startswith("0") else int(p) for p in host.split(".")]
    except ValueError:
        return None
    value = 0
    for index, part in enumerate(parts[:-1]):
        if part > 255:
            return None
        value |= part << (24 - 8 * index)
    if parts[-1] >= 1 << (8 * (5 - len(parts))):
        return None
    return value | parts[-1]


ENDPOINT = _Endpoint()
TOKEN_HEADER = re.compile(r"x-aws-ec2-metadata-token", re.I)
CLIENTS = ("curl", "wget")
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_WHOLE_EXPANSION = re.compile(r"^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*|[@*])$")
_PY_REQUEST = re.compile(r"urlopen|requests\.|http\.client|HTTPConnection|urllib3|httpx")
_PS_CLIENT = re.compile(r"\b(Invoke-WebRequest|Invoke-RestMethod|iwr|irm|curl|wget)\b|"
                        r"WebClient|DownloadString", re.I)
_MESSAGE = "{} requests instance metadata without an IMDSv2 session token " \
           "(X-aws-ec2-metadata-token header): it fails where IMDSv1 is disabled"


def check(doc, ctx):
    for snippet in doc.snippets:
        if snippet.role == "heredoc" or not ENDPOINT.search(snippet.text):
            continue  # here-documents are read as part of the script that writes them
        if snippet.language == "python":
            found = _python(snippet.text)
        elif snippet.language == "powershell":
            found = _powershell(snippet.text)
        elif snippet.commands:
            found = _shell(snippet.commands)
        else:
            found = _text_file(snippet.text)
        for line, client in found:
            at, column, note = snippet.locate(line)
            yield doc.problem(at, column, ID, SEVERITY, _MESSAGE.format(client) + note)


def _shell(commands):
    imds_vars = _imds_variables(commands)
    for cmd in commands:
        nested = _nested_script(cmd.words)
        if nested and ENDPOINT.search(nested):
            from ..shell import parse

            yield from ((cmd.line + line - 1, client) for line, client in _shell(parse(nested)))
            continue
        if cmd.name.startswith("python") and cmd.stdin_text:
            yield from ((cmd.line + n, "python") for n, _ in _python(cmd.stdin_text))
            continue
        if cmd.name.startswith("python") and "-c" in cmd.args:
            code = cmd.args[cmd.args.index("-c") + 1] if cmd.args[-1] != "-c" else ""
            yield from ((cmd.line, "python") for _ in _python(code))
            continue
        start = next((i for i, w in enumerate(cmd.words)
                      if w.rsplit("/", 1)[-1] in CLIENTS), None)
        if start is None:
            continue
        client, args = cmd.words[start].rsplit("/", 1)[-1], cmd.words[start + 1:]
        if _targets_imds(args, imds_vars) and not _has_token(client, args, imds_vars) \
                and not _token_request(args):
            yield cmd.line, client


_SHELL_NAMES = ("sh", "bash", "dash", "ash", "ksh", "zsh", "su")


def _nested_script(words: list[str]) -> str:
    """The script of `sh -c '...'`, `sudo bash -c "..."`, `su - app -c '...'`, if any."""
    for index, word in enumerate(words[:-1]):
        if word.rsplit("/", 1)[-1] in _SHELL_NAMES:
            for option, script in zip(words[index + 1:], words[index + 2:]):
                if re.fullmatch(r"-[a-z]*c", option) or option == "--command":
                    return script
    return ""


def _imds_variables(commands) -> set[str]:
    """Names assigned a value that names the metadata endpoint (directly or via another)."""
    # what a command prints is data fetched, not an address: look past $(...)
    assigns = [(name, without_substitutions(value))
               for cmd in commands for name, value in cmd.assigns]
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, value in assigns:
            if name not in found and (ENDPOINT.search(value) or
                                      found & set(_VARIABLE.findall(value))):
                found.add(name)
                changed = True
    return found


def _targets_imds(args: list[str], imds_vars: set[str]) -> bool:
    return any(ENDPOINT.search(w) or imds_vars & set(_VARIABLE.findall(w)) for w in args)


def _has_token(client: str, args: list[str], imds_vars: set[str]) -> bool:
    """True when the request carries the token header, or headers from elsewhere."""
    for index, word in enumerate(args):
        following = args[index + 1] if index + 1 < len(args) else ""
        if _WHOLE_EXPANSION.match(word) and not imds_vars & set(_VARIABLE.findall(word)):
            return True  # `curl $OPTS URL`: the variable may well hold the header
        value = _header_value(client, word, following)
        if value is not None and (TOKEN_HEADER.search(value) or value.startswith("@")
                                  or "$" in value):
            return True
        if _config_option(client, word, following):
            return True
    return False


def _header_value(client: str, word: str, following: str) -> str | None:
    if word in ("-H", "--header"):
        return following
    if client == "curl" and re.fullmatch(r"-[a-zA-Z]+H", word):
        return following  # short options bundled: curl -sH "X-aws-ec2-metadata-token: ..."
    if word.startswith("--header="):
        return word.split("=", 1)[1]
    if client == "curl" and word.startswith("-H"):
        return word[2:]
    return None


def _config_option(client: str, word: str, following: str) -> bool:
    """Options that read headers from a file (curl -K, wget --config / -e header=...)."""
    if client == "curl":
        return word in ("-K", "--config") or word.startswith(("--config=", "-K"))
    if word == "--config" or word.startswith("--config="):
        return True
    if word in ("-e", "--execute"):
        return "header" in following.lower()
    return word.startswith(("-e", "--execute=")) and "header" in word.lower()


def _token_request(args: list[str]) -> bool:
    joined = " ".join(args)
    return "api/token" in joined and bool(
        re.search(r"(-X\s*|--request[=\s]|--method[=\s])PUT\b", joined, re.I))


def _python(code: str):
    if not ENDPOINT.search(code) or TOKEN_HEADER.search(code) or not _PY_REQUEST.search(code):
        return []
    return [(n, "python") for n, line in enumerate(code.split("\n"), 1) if ENDPOINT.search(line)]


def _powershell(text: str):
    imds_vars = {v.lower() for v in re.findall(
        r"\$(\w+)\s*=\s*[^\n]*?(?:169\.254\.169\.254|fd00:ec2::254)", text, re.I)}
    for number, line in _logical_lines(text, "`"):
        client = _PS_CLIENT.search(line)
        names = {name.lower() for name in re.findall(r"\$(\w+)", line)}
        if not client or not (ENDPOINT.search(line) or names & imds_vars):
            continue
        if re.search(r"-Headers?\b", line, re.I):
            continue
        if re.search(r"-Method\s+['\"]?put", line, re.I) and "api/token" in line:
            continue
        if re.search(r"webclient|downloadstring", line, re.I) and TOKEN_HEADER.search(text):
            continue  # a WebClient gets its headers on another line (.Headers.Add)
        yield number, client.group(0)


def _logical_lines(text: str, continuation: str):
    """(first line number, joined text) for lines continued with `continuation`."""
    start, parts = 0, []
    for number, line in enumerate(text.split("\n"), 1):
        start = start or number
        stripped = line.rstrip()
        if stripped.endswith(continuation):
            parts.append(stripped[:-1])
            continue
        parts.append(line)
        yield start, " ".join(parts)
        start, parts = 0, []


def _text_file(text: str):
    """A non-script file (a unit, a crontab): look at commands that call curl or wget."""
    from ..shell import parse

    for number, line in enumerate(text.split("\n"), 1):
        match = re.search(r"\b(curl|wget)\b.*", line)
        if match and ENDPOINT.search(line):
            for _, client in _shell(parse(match.group())):
                yield number, client
