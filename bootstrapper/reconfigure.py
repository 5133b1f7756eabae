"""Answer a Terraform query that differs from one already answered only in values the
helper's configuration alone carries (its role, app user, IMDS address, timings).

A plan with many launch templates runs one data source per template, each a fresh process
on a runner with no cache, and their queries mostly differ in the role. Since the helper is
static (helper.py), such a value reaches the user-data in one place: its `NAME='value'` line
in the helper's configuration. So after a data source succeeds with a built-in template,
its result is kept under a key of everything else (the query without those keys, this
version, the bytes of the built-in templates and schema: replay.py's rules). A later query
with the same key is answered from it: validated by the profile rule book like any query,
its configuration lines written through the same `sh` quoting, the helper gzip'd and
base64'd again in place, then encoded and size-checked like any render. The result is byte
for byte what rendering prints (tests/test_reconfigure.py holds that and the same verdict,
for generated values, against a full render).

What the stored result was validated for stays true: the only text that differs is the
helper's configuration head, each new line of which helper.config_line checks (one quoted
assignment of a known name, nothing else), and the one render rule whose verdict depends on
such a value,
hardcoded-secret, is asked of the new head. Anything unusual (a value that looks like a
secret, a user template, MIME parts, vars, an unreadable entry) returns None and the query
is rendered as usual, with the usual messages.
"""

from __future__ import annotations

import errno
import json
import re

from . import replay

# A profile field → the helper configuration name whose line is the only place a built-in
# render prints it (tests/test_reconfigure.py renders each field with two values and checks
# that nothing else differs).
CONFIG_ONLY = {"role": "ROLE", "app_user": "APP_USER", "imds_endpoint": "IMDS",
               "token_ttl": "TOKEN_TTL", "deadline": "DEADLINE", "role_wait": "ROLE_WAIT"}
_GZIP_B64_RUN = re.compile(r"^( *)(H4sI[A-Za-z0-9+/=]*\n(?:\1[A-Za-z0-9+/=]+\n)*)", re.M)


def shape_key(query: dict) -> str | None:
    """The key of a query's stored result, without the keys CONFIG_ONLY names (None when the
    query has a key no field has: the full path says what is wrong)."""
    from .profile import FIELD_BY_KEY

    rest = {}
    for key, value in query.items():
        field = FIELD_BY_KEY.get(key)
        if field is None:
            return None
        if field.name not in CONFIG_ONLY:
            rest[key] = value
    return replay.key("terraform-config", [], json.dumps(rest, sort_keys=True).encode())


def eligible(profile) -> bool:  # noqa: ANN001 - a profile.Profile
    """Only the built-in templates, as one document: what the shape key fully describes."""
    return not (profile.template or profile.template_dir or profile.vars or profile.parts
                or profile.format == "mime")


def remember(query: dict, profile, stdout: bytes, files: list[str] | None) -> None:  # noqa: ANN001
    """Keep a successful data source's result for queries that differ only in CONFIG_ONLY."""
    key = shape_key(query)
    if key is None or files is None or not eligible(profile):
        return
    found = _helper_in(json.loads(stdout)["user_data"])
    if found is not None:
        script, head, carrier, carried = found
        replay.store(key, files, stdout, "", helper=script, head=len(head), carrier=carrier,
                     carried=carried)


def answer(query_bytes: bytes) -> tuple[bytes, list[str]] | None:
    """(the data source's stdout, the files it was made from) for this query from a stored
    result of the same shape, or None (then render as usual).

    Terraform starts ten data sources at once: when none of this shape is stored yet, the
    first renders while the others wait for it (up to WAIT_S), instead of ten renders
    competing for two cores to produce the same thing."""
    try:
        from .terraform import parse_query

        query = parse_query(query_bytes)
        key = shape_key(query)
        if key is None:
            return None
        from .profile import from_query

        profile = from_query(query)  # refused: the full path says why
        if not eligible(profile):
            return None
        entry = replay.lookup(key)
        if entry is None and not _first(key):
            entry = replay.lookup(key)  # the first one is done: its result, if it succeeded
        return _answer(profile, entry) if entry is not None and "carried" in entry else None
    except Exception:  # noqa: BLE001 - any surprise: the full path runs and says what is wrong
        return None


WAIT_S = 5.0
_HELD = (errno.EWOULDBLOCK, errno.EAGAIN)  # flock's answer while another process holds it
_CLAIMED: list[int] = []  # the lock of the shape this process renders first, until release()


def release() -> None:
    """Let the data sources waiting for this one's shape go on (its result is stored)."""
    import os

    while _CLAIMED:
        os.close(_CLAIMED.pop())


def _first(key: str) -> bool:
    """True when this process is the first of its shape (it then holds the shape's lock
    until release(), after storing its result); else wait until the first one is done."""
    import os
    import time

    where = replay.directory()
    if where is None:
        return True  # no cache: nothing to wait for
    try:
        import fcntl

        os.makedirs(where, mode=0o700, exist_ok=True)
        # O_NOFOLLOW: a link planted here would have this process create (or open) a file
        # wherever it may write (as root, an empty /etc/nologin locks users out).
        fd = os.open(os.path.join(where, f".{key}.lock"),
                     os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except (ImportError, OSError):
        return True  # no locks here (or no writable cache): every data source renders
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _CLAIMED.append(fd)
        return True
    except OSError as err:
        if err.errno not in _HELD:
            # No locks on this filesystem (ENOLCK: NFS whose lock manager does not answer):
            # nobody can hold the shape, so waiting would only delay every data source.
            os.close(fd)
            return True
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        time.sleep(0.01)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno in _HELD:
                continue
        os.close(fd)  # released (the first one stored its result, or failed), or no locks
        return False
    os.close(fd)
    return False


def _answer(profile, entry: dict) -> tuple[bytes, list[str]] | None:  # noqa: ANN001
    from . import encode
    from .helper import config_line
    from .terraform import fields, printed

    script, cut = entry["helper"], entry["head"]
    head = script[:cut]
    for name, conf in CONFIG_ONLY.items():
        line = _line(conf, getattr(profile, name))
        head, count = re.subn(rf"(?m)^{conf}=.*$", lambda _, line=line: line, head)
        if count != 1 or not config_line(line):
            return None  # not one line of its own: the full render says what is wrong
    if _secrets_in(head):
        return None  # hardcoded-secret's verdict, with its message, comes from the full path
    text = json.loads(entry["stdout"].encode("latin-1"))["user_data"]
    if text.count(entry["carried"]) != 1:
        return None
    raw = text.replace(entry["carried"], _carriers(head + script[cut:])[entry["carrier"]])
    payload = encode.finish(raw.encode("utf-8"), gzip=profile.gzip)
    return printed(fields(raw.encode("utf-8"), payload)), [path for path, _ in entry["files"]]


def _line(name: str, value: object) -> str:
    """A configuration line as partials/bootstrapper-imds.conf.j2 writes it."""
    from .quoting import sh

    return f"{name}={sh('' if value is None else value)}"


def _secrets_in(head: str) -> bool:
    from .lint.secrets import find

    return bool(find(head))


def _carriers(helper: str) -> tuple[str, str]:
    """The forms the built-in templates carry the helper in: cloud-config's write_files
    `content: |` block of gz+b64 lines, and shell's here-document of the same lines."""
    from .quoting import gz_b64, yaml_block

    blob = gz_b64(helper, 76)
    return yaml_block(blob, 3), blob


def _helper_in(text: str) -> tuple[str, str, int, str] | None:
    """(the helper script, its configuration head, which carrier, the text carrying it) when
    `text` carries a helper this package ships, in one of the carriers, exactly once."""
    import base64
    import gzip

    from .helper import known_head

    for match in _GZIP_B64_RUN.finditer(text):
        try:
            script = gzip.decompress(base64.b64decode("".join(match.group(2).split())))
            script_text = script.decode("utf-8")
        except (ValueError, OSError, EOFError, UnicodeDecodeError):
            continue
        head = known_head(script_text)
        if head is None:
            continue
        for index, form in enumerate(_carriers(script_text)):
            if text.count(form) == 1:
                return script_text, head, index, form
    return None
