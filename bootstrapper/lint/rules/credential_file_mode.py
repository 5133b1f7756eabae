"""credential-file-mode: a credentials file written readable by others (error) or by its
group (warning).

Any local user (and any compromised service account) could read it. Make it 0600: give a
`write_files` entry `permissions: '0600'`; in a script, `umask 077` before writing it,
`install -m 600 /dev/null FILE` first, or `chmod 600` right after.

A *credentials file* is one whose path says so (`.aws/credentials`, `.env`, `.netrc`,
`.pgpass`, `.git-credentials`, `.docker/config.json`, `id_rsa`-like keys, `*.key`,
`*.p12`, names with credential/creds/secret/password/token) or whose content holds an AWS
key or private key (`write_files` content is judged as written on disk: `encoding:
b64`/`gzip` is decoded). A file a script writes is one too when the command writes a
credential variable into it (`printf 'KEY=%s' "$SECRET" > f`, `cat > f <<EOF` with
`$DB_PASSWORD`, `sed -i "s/__PASSWORD__/$DB_PASS/" f`) or downloads the role's keys (`curl
.../iam/security-credentials/$ROLE > f`, also with the URL in a variable); literal text
that names no key material (`echo "server_tokens off;" > tokens.conf`) is not. Unit files
and scripts are never credentials files, whatever their name.

Reported: cloud-config `write_files` entries for one with group/other-readable
`permissions`, or none (cloud-init writes 0644); in scripts, `chmod` of one to a readable
mode, `install` of one without `-m` (0755) or with a readable mode, and a redirect (`>`,
`>>`, `tee`) or download (`aws s3 cp`, `curl -o`, `wget -O`) that creates one while the
umask may be the usual 022 and nothing makes it private (`chmod 600`, `umask 077` before,
or `install -m 600 /dev/null FILE` first) (warning). Readable by others is an error; by its
group only, a warning (a group may be deliberate).

FAIL:
    #cloud-config
    write_files:
    - path: /root/.aws/credentials
      content: |
        [default]
        credential_process = /usr/local/bin/get-credentials
PASS:
    #cloud-config
    write_files:
    - path: /root/.aws/credentials
      permissions: '0600'
      content: |
        [default]
        credential_process = /usr/local/bin/get-credentials
"""

from __future__ import annotations

import re

from .. import secrets

ID = "credential-file-mode"
SEVERITY = "error"
OPTIONS: dict = {}
_WRITES = (">", ">>", ">|", "&>", "&>>", "1>", "1>>")
_ADVICE = "make it 0600"
# literal text naming key material (`AWSSecretKey=XXX__SECRET__XXX`) is a credentials
# file in the making, whatever the placeholder
_NAMES_KEYS = re.compile(r"(?i)secret|passw|credential|access_?key|api_?key|private")
_SEVERITY_FOR = {"others": SEVERITY, "group": "warning"}  # a group may be deliberate


def check(doc, ctx):
    if doc.kind == "cloud-config" and doc.config is not None and isinstance(doc.config.data, dict):
        yield from _write_files(doc)
    for snippet in doc.snippets:
        if snippet.role != "heredoc" and snippet.commands:
            for line, severity, message in _script(snippet.commands):
                at, column, note = snippet.locate(line)
                yield doc.problem(at, column, ID, severity, message + note)


def _write_files(doc):
    entries = doc.config.data.get("write_files")
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue
        path = str(entry.get("path", ""))
        content = _decoded(doc, index, entry.get("content"))
        holds = isinstance(content, str) and bool(secrets.find(content))
        if not (secrets.is_credential_path(path) or holds):
            continue
        mode = entry.get("permissions")
        key = "permissions" if mode is not None else "path"
        line, _ = doc.config.line_of(("write_files", index, key))
        if mode is None:
            yield doc.problem(line, 0, ID, SEVERITY, f"{path} holds credentials but has no "
                              f"permissions: cloud-init writes it 0644 (world-readable); {_ADVICE}")
            continue
        who = exposure(str(mode))
        if who:
            yield doc.problem(line, 0, ID, _SEVERITY_FOR[who], f"{path} holds credentials but "
                              f"is written {mode} (readable by {who}); {_ADVICE}")


def _decoded(doc, index: int, content):
    """The content as written on disk: a b64/gzip entry's decoded snippet when there is one."""
    for snippet in doc.snippets:
        if snippet.where.startswith(f"write_files[{index}]") and not snippet.exact:
            return snippet.text
    return content


def exposure(mode: str) -> str:
    """"others", "group" or "" for an octal or symbolic chmod mode's read bits."""
    if re.fullmatch(r"0?[0-7]{3,4}", mode):
        bits = int(mode, 8)
        return "others" if bits & 0o004 else "group" if bits & 0o040 else ""
    who = ""
    for clause in mode.split(","):
        match = re.fullmatch(r"([ugoa]*)([+=])([rwxXst]*)", clause)
        if match and "r" in match.group(3):
            targets = set(match.group(1)) or {"a"}
            who = "others" if targets & set("oa") else who or ("group" if "g" in targets else "")
    return who


def _readable(mode: str) -> bool:
    return bool(exposure(mode))


def _script(commands):
    paths = _literal_values(commands)
    private = _made_private(commands, paths)
    secret = secrets.credential_variables(commands)
    umask_lines = [cmd.line for cmd in commands if cmd.name == "umask" and cmd.args
                   and _restrictive_umask(cmd.args[-1])]
    for cmd in commands:
        yield from _chmod_or_install(cmd, paths)
        yield from _sed_secret(cmd, secret, paths, private)
        if _known_harmless(cmd):
            continue
        for target in _written(cmd):
            path = _resolve(target, paths)
            holds = secrets.is_credential_path(path) or _fetches_credentials(cmd, paths) \
                or _writes_variables(cmd, secret)
            if holds and path not in private and not path.startswith("/dev/") and \
                    not any(line < cmd.line for line in umask_lines):
                yield cmd.line, "warning", (
                    f"{path} is created with the shell's umask (usually 022: world-readable) "
                    f"and nothing makes it private; run umask 077 first or chmod 600 it")


def _sed_secret(cmd, secret: set[str], paths, private: set[str]):
    """`sed -i "s/.../$SECRET/" FILE`: the file keeps its mode (usually 0644) and now holds
    the secret, unless something makes it private."""
    if cmd.name != "sed" or not any(a == "-i" or re.fullmatch(r"-[a-zA-Z]*i.*", a)
                                    for a in cmd.args):
        return
    plain = [a for a in cmd.args if not a.startswith("-")]
    script, files = (plain[0], plain[1:]) if plain else ("", [])
    used = [n for n in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", script)
            if n in secret or secrets.is_credential_name(n)]
    for target in files if used else ():
        path = _resolve(target, paths)
        if path not in private:
            yield cmd.line, "warning", (
                f"sed writes ${used[0]} into {path}, which keeps its mode (usually 0644: "
                f"world-readable); chmod 600 it, or keep the secret out of that file")


def _chmod_or_install(cmd, paths):
    if cmd.name == "chmod":
        args = [a for a in cmd.args if not a.startswith("-") or re.fullmatch(r"-[rwxXst]+", a)]
        who = exposure(args[0]) if len(args) >= 2 else ""
        for target in args[1:] if who else ():
            path = _resolve(target, paths)
            if secrets.is_credential_path(path):
                yield cmd.line, _SEVERITY_FOR[who], f"chmod {args[0]} makes {path} " \
                                                    f"readable by {who}; {_ADVICE}"
    elif cmd.name == "install" and cmd.args and "-d" not in cmd.args:
        path = _resolve(cmd.args[-1], paths)
        if secrets.is_credential_path(path):
            mode = _option(cmd.args, "-m", "--mode") or "0755"
            who = exposure(mode)
            if who:
                yield cmd.line, _SEVERITY_FOR[who], f"install writes {path} with mode " \
                                                    f"{mode} (readable by {who}); {_ADVICE}"


def _option(args: list[str], short: str, long: str) -> str:
    for index, arg in enumerate(args):
        if arg in (short, long) and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(long + "="):
            return arg.split("=", 1)[1]
        if arg.startswith(short) and len(arg) > len(short):
            return arg[len(short):]
    return ""


def _written(cmd):
    """Files the command creates: redirects, tee, and downloads (aws s3 cp, curl -o,
    wget -O)."""
    for op, target in cmd.redirects:
        if op in _WRITES:
            yield target
    if cmd.name == "tee":
        yield from (a for a in cmd.args if not a.startswith("-"))
    elif cmd.name == "aws" and cmd.args[:2] == ["s3", "cp"]:
        plain = [a for a in cmd.args[2:] if not a.startswith("-")]
        if len(plain) >= 2 and not plain[-1].startswith("s3://"):
            yield _into(plain[-1], plain[-2])
    elif cmd.name in ("curl", "wget"):
        short, long = ("-o", "--output") if cmd.name == "curl" else ("-O", "--output-document")
        bundled = re.compile(r"-[a-zA-Z]+" + short[1])  # wget -qO FILE
        target = _option(cmd.args, short, long) or next(
            (b for a, b in zip(cmd.args, cmd.args[1:]) if bundled.fullmatch(a)), "")
        if target and target != "-":
            yield target


def _known_harmless(cmd) -> bool:
    """`echo "server_tokens off;" > tokens.conf`: literal text that holds no credential."""
    words = cmd.words[1:] if cmd.name == "sudo" else cmd.words
    words = [w for w in words if not w.startswith("-")] if cmd.name == "sudo" else words
    text = " ".join(words)
    return bool(words) and words[0].rsplit("/", 1)[-1] in ("echo", "printf") \
        and not any("$" in w or "`" in w for w in words) and not secrets.find(text) \
        and not _NAMES_KEYS.search(text)


def _into(target: str, source: str) -> str:
    """`aws s3 cp SRC DIR/` writes DIR/basename(SRC)."""
    return target + source.rsplit("/", 1)[-1] if target.endswith("/") else target


def _fetches_credentials(cmd, values: dict[str, str]) -> bool:
    """A download of the instance role's keys (`.../iam/security-credentials/ROLE`),
    the URL written out or in a variable."""
    return cmd.name in ("curl", "wget") and any(
        re.search(r"security-credentials/[^\s\"'/]", _resolve(a, values)) for a in cmd.args)


def _writes_variables(cmd, secret: set[str]) -> bool:
    """echo/printf/cat writing a credential variable's value (`printf 'KEY=%s' "$SECRET"`)."""
    if cmd.name not in ("echo", "printf", "cat"):
        return False
    text = " ".join(cmd.args) + " " + cmd.stdin_text
    return any(name in secret or secrets.is_credential_name(name)
               for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text))


def _literal_values(commands) -> dict[str, str]:
    """Variables assigned a plain value (the last assignment wins), to resolve `$FILE`."""
    return {name: value for cmd in commands for name, value in cmd.assigns if "$(" not in value}


def _resolve(word: str, values: dict[str, str]) -> str:
    match = re.fullmatch(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?(.*)", word)
    if match and match.group(1) in values:
        return values[match.group(1)] + match.group(2)
    return word.replace("$HOME", "~")


def _made_private(commands, paths) -> set[str]:
    """Paths a chmod makes private, or `install -m 600 /dev/null PATH` creates private
    (a later `>` keeps the mode of the file it truncates)."""
    out = set()
    for cmd in commands:
        if cmd.name == "install" and cmd.args and "-d" not in cmd.args:
            mode = _option(cmd.args, "-m", "--mode")
            if mode and not _readable(mode):
                out.add(_resolve(cmd.args[-1], paths))
        if cmd.name == "chmod" and len(cmd.args) >= 2:
            args = [a for a in cmd.args if not a.startswith("-")]
            if args and not _readable(args[0]):
                out |= {_resolve(a, paths) for a in args[1:]}
    return out


def _restrictive_umask(value: str) -> bool:
    if re.fullmatch(r"0?[0-7]{3,4}", value):
        return int(value, 8) & 0o044 == 0o044
    return bool(re.search(r"g=[wx]*(,|$)", value)) and bool(re.search(r"o=[wx]*(,|$)", value))
