"""Detectors for credentials in text, and for paths that hold them.

Shared by hardcoded-secret (a credential written into user-data), credential-file-mode
(a file holding credentials must not be readable by others) and secret-in-log (which
variables and files hold credentials). A match never carries the secret itself: only a
masked form is ever shown, because findings end up in CI logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class _Detector:
    """A pattern compiled when first needed, and only tried on a text that holds one of
    `needles` (literals every match contains; none: always tried). A render that misses the
    cache checks a few short texts that most detectors cannot match: compiling them all
    cost it ~3 ms."""

    __slots__ = ("_source", "_flags", "_needles", "_compiled")

    def __init__(self, source: str, *needles: str, flags: int = 0) -> None:
        self._source, self._flags, self._needles = source, flags, needles
        self._compiled: re.Pattern | None = None

    def finditer(self, text: str):
        pattern = self._for(text)
        return pattern.finditer(text) if pattern else iter(())

    def search(self, text: str) -> re.Match | None:
        pattern = self._for(text)
        return pattern.search(text) if pattern else None

    def _for(self, text: str) -> re.Pattern | None:
        if self._needles and not any(needle in text for needle in self._needles):
            return None
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return self._compiled


KEY_ID = _Detector(r"(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])", "AKIA", "ASIA")
_SEPARATOR = r"[\"']?(?:\s*[:=]\s*|\s+)[\"']?"
SECRET_KEY = _Detector(r"(?i)(aws_?secret_?access_?key|secret_?access_?key|aws_?secret_?key)"
                       + _SEPARATOR + r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])")
SESSION_TOKEN = _Detector(r"(?i)(aws_?session_?token|session_?token|aws_?security_?token)"
                          + _SEPARATOR + r"([A-Za-z0-9/+=]{100,})")
PRIVATE_KEY = _Detector(r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----",
                        "PRIVATE KEY")
_QUICK = re.compile(r"AKIA|ASIA|(?i:secret|passw|token|api_?key|creds?\b|credential)|"
                    r"(?i:secret_?access_?key|secret_?key|session_?token|"
                    r"security_?token)|PRIVATE KEY|gh[pousr]_|github_pat_|glpat-|xox[abprs]-|"
                    r"dckr_pat_|://[^/\s:@]+:[^/\s@]+@|(?i:passw|mysql|curl|docker|sed)")

# Tokens whose prefix says what they are (the issuers chose them to be found).
TOKENS = (
    (_Detector(r"(?<![A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36,})",
               "ghp_", "gho_", "ghu_", "ghs_", "ghr_"), "GitHub token"),
    (_Detector(r"(?<![A-Za-z0-9_])(github_pat_[A-Za-z0-9_]{40,})", "github_pat_"),
     "GitHub token"),
    (_Detector(r"(?<![A-Za-z0-9_])(glpat-[A-Za-z0-9_-]{20,})", "glpat-"), "GitLab token"),
    (_Detector(r"(?<![A-Za-z0-9_])(xox[abprs]-[A-Za-z0-9-]{10,})", "xox"), "Slack token"),
    (_Detector(r"(?<![A-Za-z0-9_])(dckr_pat_[A-Za-z0-9_-]{20,})", "dckr_pat_"),
     "Docker Hub token"),
)
# A password given on a command line: (pattern, what it is); group "v" is the value.
_Q = r"(?P<q>[\"']?)"
PASSWORDS = (
    (_Detector(r"\becho\s+(?:-[neE]+\s+)?" + _Q + r"(?P<u>[\w.@-]+):(?P<v>[^\s\"'|]+)(?P=q)"
               r"\s*\|\s*(?:sudo\s+)?chpasswd\b", "chpasswd"), "password given to chpasswd"),
    (_Detector(r"\becho\s+(?:-[neE]+\s+)?" + _Q + r"(?P<v>[^\s\"'|]+)(?P=q)\s*\|\s*\(?\s*"
               r"(?:sudo\s+)?passwd\b[^\n|;]*--stdin", "--stdin"),
     "password given to passwd --stdin"),
    (_Detector(r"\becho\s+-e\s+" + _Q + r"(?P<v>[^\s\"'|\\]+)\\n(?P=v)(?:\\n)?(?P=q)\s*\|\s*"
               r"\(?\s*(?:sudo\s+)?passwd\b", "passwd"), "password given to passwd"),
    (_Detector(r"\b(?:mysql|mysqladmin|mysqldump|mariadb)\b[^\n|;&]*?\s(?:-p|--password=)"
               + _Q + r"(?P<v>[^\s\"';|&]+)(?P=q)", "mysql", "mariadb"), "MySQL password (-p)"),
    (_Detector(r"\bcurl\b[^\n|;&]*?\s(?:-u\s*|--user[=\s]\s*)" + _Q
               + r"(?P<u>[^\s:\"']+):(?P<v>[^\s\"']+)(?P=q)", "curl"), "password given to curl -u"),
    (_Detector(r"\bdocker\s+login\b[^\n|;&]*?\s(?:-p|--password)[=\s]\s*" + _Q
               + r"(?P<v>[^\s\"']+)(?P=q)", "docker"), "password given to docker login -p"),
    (_Detector(r"\bsed\b[^\n]*?\bs(?P<d>[/|#,])[^\n]*?(?i:passw|secret|token|api_?key)"
               r"[^\n]*?(?P=d)(?P<v>[^\s/|#,]*?)(?P=d)", "sed"),
     "password written into a config by sed"),
    (_Detector(r"(?<![\w$])(?P<v>[a-z][a-z0-9+.-]*://[^/\s:@\"']+:[^/\s@\"']+@[\w.-]+)", "://"),
     "password in a URL"),
)
# Values that stand for a password rather than being one: a template or variable, an
# instruction to the reader (<PASSWORD>, YOUR_TOKEN, REPLACE_ME), a mask (xxxx, ****).
# Real-looking defaults (changeme, password123) are reported: launched as is, they are the
# password.
_PLACEHOLDER = _Detector(r"\$|\{\{|%\{|^<.*>$|^\[.*\]$|\.\.\.|^(?i:your|replace|insert|"
                         r"enter|example|dummy|placeholder|redacted)|(?i:_here|here_?$)")

# Paths whose contents are credentials by name; unit files and scripts are not, whatever
# they are called (`bootstrapper-credentials.service` holds no secret).
CREDENTIAL_PATH = re.compile(
    r"(?:^|/)(?:\.aws/credentials|\.git-credentials|\.netrc|\.pgpass|\.my\.cnf|\.dockercfg|"
    r"\.docker/config\.json|\.env|id_(?:rsa|dsa|ecdsa|ed25519)|"
    r"[^/]*(?:credential|creds|secret|passw|token)[^/]*|[^/]*\.(?:key|p12|pfx|jks|keystore))$", re.I)
_NOT_DATA = re.compile(r"(?:/systemd/|\.(?:sh|bash|py|rb|pl|ps1|service|timer|socket|path|"
                       r"target|mount|j2|tmpl|md)$)", re.I)


@dataclass(frozen=True, eq=False)  # compared by no one
class Found:
    """One credential literal, never the secret itself."""

    line: int  # 1-based
    kind: str  # "access key id", "secret access key", "session token", "private key",
    # a TOKENS kind ("GitHub token"), or a PASSWORDS kind ("password given to chpasswd")
    shown: str  # a masked form, safe to print


def find(text: str) -> list[Found]:
    """Every credential literal in `text`."""
    if not _QUICK.search(text):
        return []
    found = []
    for match in KEY_ID.finditer(text):
        value = match.group(1)
        if not value.endswith("EXAMPLE"):  # AWS's documentation key is not a secret
            found.append(Found(_line(text, match.start()), "access key id", mask(value)))
    for pattern, kind in ((SECRET_KEY, "secret access key"), (SESSION_TOKEN, "session token")):
        for match in pattern.finditer(text):
            if _real(match.group(2)):
                found.append(Found(_line(text, match.start()), kind, match.group(1)))
    for pattern, kind in TOKENS:
        for match in pattern.finditer(text):
            if _real(match.group(1)):
                found.append(Found(_line(text, match.start()), kind, mask(match.group(1))))
    for pattern, kind in PASSWORDS:
        for match in pattern.finditer(text):
            value = match.group("v")
            if kind == "password in a URL":
                value = value.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
            elif kind.endswith("by sed") and _KEY_WORDS.search(value):
                continue  # `s/#password=/password=/` renames or uncomments a key
            line = _line(text, match.start())
            if _password(value) and not any(seen.line == line for seen in found
                                            if seen.kind.endswith("token")
                                            or "password" in seen.kind):
                found.append(Found(line, kind, f"{len(value)} characters"))
    for match in _ASSIGNED.finditer(text):
        name, value = match.group("n"), match.group("v")
        line = _line(text, match.start("n"))
        if is_credential_name(name) and _assigned_literal(value) and \
                not any(f.line == line for f in found):
            found.append(Found(line, f"the value of {name}", f"{len(value)} characters"))
    for match in PRIVATE_KEY.finditer(text):
        label = (match.group(1) or "").strip()
        found.append(Found(_line(text, match.start()), "private key",
                           f"{label} PRIVATE KEY".strip()))
    return sorted(found, key=lambda f: f.line)


def mask(value: str) -> str:
    return f"{value[:4]}…{value[-4:]}"


def _real(value: str) -> bool:
    """Not a placeholder: AWS's example, or one character repeated (xxxx…)."""
    return "EXAMPLE" not in value and len(set(value)) > 4


_KEY_WORDS = _Detector(r"(?i)passw|secret|token|api_?key")
# NAME=value in a script, an env file or `docker run -e`: a credential named like one
_ASSIGNED = re.compile(r"(?:^|[\s;&|(\"'])(?P<n>[A-Za-z_][A-Za-z0-9_]*)=" + _Q
                       + r"(?P<v>[^\s\"'$`;|&)]+)(?P=q)(?=[\s;&|)\"']|$)", re.M)
_NOT_A_SECRET = _Detector(r"(?i)^(?:true|false|yes|no|on|off|none|null|nil|required|"
                          r"optional|disabled?|enabled?|[0-9]+)$|^[/~.]|[%\\{}<>]")


def _assigned_literal(value: str) -> bool:
    """A literal password value, not a flag, a number, a path to a file holding one or a
    format (`printf 'KEY=%s\\n'`)."""
    return not _NOT_A_SECRET.search(value) and _password(value)


def is_literal_password(value) -> bool:
    """A password value written into a file: not a placeholder, not cloud-init's RANDOM."""
    return isinstance(value, str) and value not in ("RANDOM", "R") and _password(value)


def _password(value: str) -> bool:
    """A literal password: not empty, not a placeholder, not a repeated character."""
    value = value.strip("\"'")
    return len(value) >= 4 and not _PLACEHOLDER.search(value) and len(set(value)) > 2


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def is_credential_path(path: str) -> bool:
    return bool(path) and bool(CREDENTIAL_PATH.search(path)) and not _NOT_DATA.search(path)


# --- variables that hold credentials ------------------------------------------------------

_SECRET_WORDS = {"SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "CREDS",
                 "CREDENTIAL", "CREDENTIALS", "APIKEY"}
_KEY_QUALIFIERS = {"SECRET", "API", "PRIVATE", "ACCESS", "ENCRYPTION", "SIGNING", "MASTER"}
_METADATA = {"TTL", "URL", "URI", "FILE", "PATH", "DIR", "NAME", "LEN", "LENGTH", "TYPE",
             "EXPIRATION", "EXPIRY", "EXPIRES", "ARN", "ID", "ENDPOINT", "HOST", "PORT",
             "USER", "ROLE", "REGION", "KIND", "FORMAT", "SIZE", "COUNT", "MODE", "VERSION",
             "HEADER_NAME", "DEADLINE", "WAIT"}
AWS_VARIABLES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_SECURITY_TOKEN"}


def is_credential_name(name: str) -> bool:
    """True for names like AWS_SECRET_ACCESS_KEY, DB_PASSWORD, githubToken, API_KEY."""
    upper = name.upper()
    if upper in AWS_VARIABLES:
        return True
    words = [w for w in re.split(r"_+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).upper()) if w]
    if not words or words[-1] in _METADATA:
        return False
    if any(w in _SECRET_WORDS for w in words):
        return True
    return "KEY" in words and any(w in _KEY_QUALIFIERS for w in words)


# --- shell variables that hold credentials ------------------------------------------------

_SHELL_VARIABLE = re.compile(r"\$\{?#?([A-Za-z_][A-Za-z0-9_]*)")
_SOURCES = re.compile(r"SecretAccessKey|SessionToken|\bToken\b|security-credentials/[^\s\"'/)]|"
                      r"get-secret-value|--with-decryption|get-session-token|assume-role")
_FETCH = re.compile(r"\b(curl|wget|aws|nc|http)\b")


def credential_variables(commands) -> set[str]:
    """Names that hold credentials in a script's commands: named like one, or assigned
    from a credential source (or from another such variable)."""
    from .words import without_substitutions

    names = {n for cmd in commands for n, _ in cmd.assigns}
    names |= {n for cmd in commands for w in cmd.words for n in _SHELL_VARIABLE.findall(w)}
    secret = {n for n in names if is_credential_name(n)}
    assigns = [(n, v, without_substitutions(v, keep=_transforms))
               for cmd in commands for n, v in cmd.assigns]
    changed = True
    while changed:
        changed = False
        for name, value, derived in assigns:
            if name not in secret and (_SOURCES.search(value) or
                                       secret & set(_SHELL_VARIABLE.findall(derived))):
                secret.add(name)
                changed = True
    return secret


def _transforms(substitution: str) -> bool:
    """A substitution that derives a value from its input (base64 of a secret is one),
    unlike a request that merely sends a token to fetch something else."""
    return not _FETCH.search(substitution)
