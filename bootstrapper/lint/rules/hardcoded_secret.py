"""hardcoded-secret: AWS keys, tokens, passwords or private keys written into user-data, in
any layer.

User-data is no secret store: any process on the instance that can reach IMDS reads it,
launch templates keep it, the EC2 console shows it. Give the instance a role instead (that
is what `bootstrapper render` sets up), or fetch the secret at boot (Secrets Manager, SSM
Parameter Store). Found in every layer: inside base64, gzip, MIME parts and base64
`write_files` content too.

Found: `AKIA`/`ASIA` key ids, 40-character secret keys and session tokens after a key name
(`aws_secret_access_key = ...`, `"SecretAccessKey": "..."`, `aws configure set
aws_secret_access_key ...`), and `-----BEGIN ... PRIVATE KEY-----` blocks (cloud-config
`ssh_keys` host keys included). Also: tokens whose prefix names their issuer (GitHub `ghp_`,
`gho_`, `github_pat_`, GitLab `glpat-`, Slack `xoxb-`/`xoxp-`/..., Docker Hub `dckr_pat_`),
`scheme://user:password@host` URLs, and literal passwords given to `chpasswd` (`echo
user:pw | chpasswd`), `passwd --stdin`, `mysql -p`/`--password=`, `curl -u user:pw`,
`docker login -p`, or written into a config by `sed s/password_here/.../`; a literal
assigned to a variable named like a credential (`DB_PASSWORD=...`, `docker run -e
API_KEY=...`; not flags, numbers or paths such as `*_FILE=/run/secrets/x`); in a
cloud-config, clear-text `password`, `chpasswd.list`/`chpasswd.users` (not `type: hash`,
not `RANDOM`) and `users[].plain_text_passwd`. Messages show a masked form (`AKIA…7XZ4`),
never the secret; for passwords only the length is shown. AWS's documentation keys
(`…EXAMPLE`) are ignored.

Placeholders, decided: a value with `$` (a variable, `$(aws secretsmanager
get-secret-value ...)`, `$(aws ssm get-parameter --with-decryption ...)`, a Terraform
`${var}`), `{{ }}` or `%{ }`, an instruction to the reader (`<PASSWORD>`, `[token]`,
`YOUR_...`, `REPLACE...`, `..._here`, `...`) or a mask (`xxxx`) is not reported.
Default-looking values (`changeme`, `password123`) *are* reported: launched as written,
that is the password.

FAIL:
    #cloud-config
    write_files:
    - path: /root/.aws/credentials
      content: |
        aws_access_key_id = AKIA2OGYBAH6TMVQ7XZ4
PASS:
    #cloud-config
    # the instance role's credentials come from IMDS; nothing to write
"""

from __future__ import annotations

from .. import secrets

ID = "hardcoded-secret"
SEVERITY = "error"
OPTIONS: dict = {}
_ADVICE = "user-data is readable on the instance and in the launch template; use the " \
          "instance role instead"
_FETCH = "user-data is readable on the instance and in the launch template; fetch it at " \
         "boot instead (aws secretsmanager get-secret-value, aws ssm get-parameter " \
         "--with-decryption), with the instance role's permission"


def check(doc, ctx):
    if doc.kind == "cloud-config" and doc.config is not None and isinstance(doc.config.data, dict):
        lines = doc.text.split("\n")
        for path, what, needle in _cloud_config_passwords(doc.config.data):
            line, _ = doc.config.line_of(path)
            line = next((n for n in range(line, len(lines) + 1) if needle in lines[n - 1]), line)
            yield doc.problem(line, 0, ID, SEVERITY, f"{what} is a literal password in "
                              f"user-data: {_FETCH}; or use a hashed one (type: hash) or RANDOM")
    if not doc.children and doc.text:
        for found in secrets.find(doc.text):
            yield doc.problem(found.line, 0, ID, SEVERITY, _message(found))
    for snippet in doc.snippets:
        if not snippet.exact:  # decoded content: the document's text only shows it encoded
            for found in secrets.find(snippet.text):
                line, column, note = snippet.locate(found.line)
                yield doc.problem(line, column, ID, SEVERITY, _message(found) + note)


def _cloud_config_passwords(data: dict):
    """(path, what, text on its line) of clear-text passwords cloud-init sets: `password`,
    `chpasswd.list`, `chpasswd.users[].password` (not type: hash),
    `users[].plain_text_passwd`."""
    if secrets.is_literal_password(data.get("password")):
        yield ("password",), "password", ""
    chpasswd = data.get("chpasswd")
    if isinstance(chpasswd, dict):
        listed = chpasswd.get("list")
        lines = listed.splitlines() if isinstance(listed, str) else \
            listed if isinstance(listed, list) else []
        for index, line in enumerate(lines):
            user, _, value = str(line).partition(":")
            if secrets.is_literal_password(value.strip()):
                yield ("chpasswd", "list") + ((index,) if isinstance(listed, list) else ()), \
                    f"chpasswd.list entry for {user.strip()}", str(line).strip()
        users = chpasswd.get("users")
        for index, entry in enumerate(users if isinstance(users, list) else []):
            if isinstance(entry, dict) and entry.get("type", "text") == "text" and \
                    secrets.is_literal_password(entry.get("password")):
                yield ("chpasswd", "users", index, "password"), \
                    f"chpasswd.users password for {entry.get('name', '?')}", ""
    users = data.get("users")
    for index, entry in enumerate(users if isinstance(users, list) else []):
        if isinstance(entry, dict) and secrets.is_literal_password(entry.get("plain_text_passwd")):
            yield ("users", index, "plain_text_passwd"), \
                f"plain_text_passwd of user {entry.get('name', '?')}", ""


def _message(found) -> str:
    if "password" in found.kind or found.kind.startswith("the value of"):
        return f"{found.kind} is a literal ({found.shown}) in user-data: {_FETCH}"
    if found.kind.endswith(" token"):
        return f"{found.kind} {found.shown} written into user-data: {_FETCH}"
    if found.kind == "access key id":
        return f"AWS access key id {found.shown} written into user-data: {_ADVICE}"
    if found.kind == "private key":
        return f"{found.shown} written into user-data: {_ADVICE}, or fetch the key at boot"
    return f"AWS {found.kind} written into user-data ({found.shown}): {_ADVICE}"
