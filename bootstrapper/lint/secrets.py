"""Detectors for credentials in text, and for paths that hold them.

Shared by hardcoded-secret (a credential written into user-data), credential-file-mode
(a file holding credentials must not be readable by others) and secret-in-log (which
variables and files hold credentials). A match never carries the secret itself: only a
masked form is ever shown, because findings end up in CI logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEY_ID = re.compile(r"(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])")
_SEPARATOR = r"[\"']?(?:\s*[:=]\s*|\s+)[\"']?"
SECRET_KEY = re.compile(r"(?i)(aws_?secret_?access_?key|secret_?access_?key|aws_?secret_?key)"
                        + _SEPARATOR + r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])")
SESSION_TOKEN = re.compile(r"(?i)(aws_?session_?token|session_?token|aws_?security_?token)"
                           + _SEPARATOR + r"([A-Za-z0-9/+=]{100,})")
PRIVATE_KEY = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----")
_QUICK = re.compile(r"AKIA|ASIA|(?i:secret_?access_?key|secret_?key|session_?token|"
                    r"security_?token)|PRIVATE KEY")

# Paths whose contents are credentials by name; unit files and scripts are not, whatever
# they are called (`bootstrapper-credentials.service` holds no secret).
CREDENTIAL_PATH = re.compile(
    r"(?:^|/)(?:\.aws/credentials|\.git-credentials|\.netrc|\.pgpass|\.my\.cnf|"
    r"\.docker/config\.json|\.env|id_(?:rsa|dsa|ecdsa|ed25519)|"
    r"[^/]*(?:credential|secret|passw|token)[^/]*|[^/]*\.(?:key|p12|pfx|jks|keystore))$", re.I)
_NOT_DATA = re.compile(r"(?:/systemd/|\.(?:sh|bash|py|rb|pl|ps1|service|timer|socket|path|"
                       r"target|mount|j2|tmpl|md)$)", re.I)


@dataclass(frozen=True)
class Found:
    line: int  # 1-based
    kind: str  # "access key id", "secret access key", "session token", "private key"
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
