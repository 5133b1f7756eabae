"""Issue 10 on the simulated instance: users' own templates, booted by Debian's real cloud-init.

- the blocks run where INTERFACE.md says: `before_credentials` after the lockdown and before
  any credential file exists, `after_credentials` after every credential file is written;
- hostile `--var` values through `| sh` and `| yaml` stay data (and arrive byte for byte);
- every example in examples/templates renders with the command its header documents, lints
  clean, and boots.

The user templates are in tests/instance/templates/.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from instance_support import ENV_FILE, FORMATS, env_text, parse_env, render
from support import HOSTILE, ROOT, run_cli

from bootstrapper.testing.imds import Faults

pytestmark = pytest.mark.instance

TEMPLATES = Path(__file__).parent / "templates"
ORDERING = {"shell": "ordering.sh.j2", "cloud-config": "ordering.yaml.j2"}
PROCESS_FILE = "/run/bootstrapper/app.json"
AWS_CONFIG = "/run/bootstrapper/aws-config"  # the default: next to the process file
SEEN = "/var/tmp/ordering"  # where the ordering template's blocks record what they saw
CURL_REFUSED, CURL_OK = "7", "0"


def render_ordering(fmt: str, **options) -> bytes:
    return render(fmt, template=str(TEMPLATES / ORDERING[fmt]), template_dir=str(TEMPLATES),
                  credential_process_file=PROCESS_FILE, **options)


def seen(vm, name: str) -> str:
    return vm.read(f"{SEEN}/{name}")


def cloud_init_errors(vm) -> list[str]:
    """Module failures cloud-init recorded (a failed `packages:` leaves the boot 'ok')."""
    return json.loads(vm.read("/var/lib/cloud/data/result.json"))["v1"]["errors"]


def credentials_now(vm) -> dict[str, str]:
    return {"env": vm.read(ENV_FILE), "process": vm.read(PROCESS_FILE),
            "config": vm.read(AWS_CONFIG)}


# --- the blocks' order ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_blocks_run_in_their_place(vm, peers, fmt):
    """before_credentials: IMDS already locked (nobody refused while root gets a token), no
    credential file yet, and done before the fetch's first GET. after_credentials: a copy of
    every credential file holds the credentials just fetched. A re-run (new keys: the mock
    rotates) shows both probes can tell: the files now exist before, and the copy after
    holds the new keys, not the old ones."""
    peer = peers("mock", Faults(rotate=True))
    before_done_at_first_get: list[bool] = []

    def on_request(request) -> None:  # the before block only PUTs (its token probes)
        if request.method == "GET" and not before_done_at_first_get:
            before_done_at_first_get.append(vm.exists(f"{SEEN}/imds-as-0"))

    peer.mock.on_request = on_request
    # gzip: with the init-stage lockdown (issue 18) this template's output is over 16 KB;
    # cloud-init decompresses it, as render's refusal suggests.
    vm.seed(render_ordering(fmt, lockdown=True, gzip=True))
    boot = vm.boot()
    assert boot.ok, boot.describe()
    assert vm.failed_scripts() == [] and cloud_init_errors(vm) == []

    assert seen(vm, "files-before") == ""
    assert (seen(vm, "imds-as-65534").strip(), seen(vm, "imds-as-0").strip()) == \
        (CURL_REFUSED, CURL_OK)
    assert before_done_at_first_get == [True]

    first = credentials_now(vm)
    assert {name: seen(vm, f"{name}-after") for name in first} == first
    keys = peer.mock.last_credentials
    assert first["env"] == env_text(peer.expected_env(parse_env(first["env"])))
    assert json.loads(first["process"])["AccessKeyId"] == keys["AccessKeyId"]
    assert f"credential_process = cat {PROCESS_FILE}" in first["config"]

    again = vm.rerun_user_data()
    assert again.ok, again.describe()
    assert seen(vm, "files-before").split() == [ENV_FILE, PROCESS_FILE, AWS_CONFIG]
    assert seen(vm, "imds-as-65534").strip() == CURL_REFUSED
    last = credentials_now(vm)
    assert last["env"] != first["env"] and last["process"] != first["process"]
    assert {name: seen(vm, f"{name}-after") for name in last} == last
    assert parse_env(last["env"])["AWS_ACCESS_KEY_ID"] == \
        peer.mock.last_credentials["AccessKeyId"]


def test_before_credentials_probe_sees_an_open_imds(vm, peers):
    """Without --lockdown the same probe gets a token as nobody: the refusal above is the
    lockdown's doing, already in place when before_credentials ran."""
    peers("mock")
    vm.seed(render_ordering("shell"))
    boot = vm.boot()
    assert boot.ok, boot.describe()
    assert (seen(vm, "imds-as-65534").strip(), seen(vm, "imds-as-0").strip()) == \
        (CURL_OK, CURL_OK)
    assert seen(vm, "files-before") == ""


# --- hostile values ------------------------------------------------------------------------------

CANARY = "/tmp/canary"
CONTROL = "/tmp/canary-control"
# Besides HOSTILE: values built to break out of a YAML double-quoted scalar or a shell word.
ESCAPES = [
    "'; touch /tmp/canary; '",
    '"; touch /tmp/canary; "',
    "x\nruncmd:\n- touch /tmp/canary\n",
    '"\nbootcmd: [[touch, /tmp/canary]]\n#',
    "a\n---\nruncmd: [touch /tmp/canary]",
    "|\n  x\nruncmd: [[touch, /tmp/canary]]",
    "'$(touch /tmp/canary)'`touch /tmp/canary`\n\t\\\n",
    " leading and trailing spaces ",
]


def test_hostile_vars_stay_data(vm, peers, tmp_path):
    """Hostile `--var` values through `| yaml` (a write_files content) and `| sh` (a printf
    line in after_credentials): render validates it, lint finds only shellcheck info, and
    on the instance each value arrives byte for byte, twice, and nothing runs. The `control`
    var, also inserted once through `| raw`, does run: the canary would have seen it."""
    variables = {f"v{i:02d}": value for i, value in enumerate(HOSTILE + ESCAPES)}
    variables["control"] = f"$(touch {CONTROL})"
    out = tmp_path / "user-data"
    done = run_cli("render", "--template", str(TEMPLATES / "hostile.yaml.j2"),
                   "--app-user", "app", "--output", str(out),
                   *[arg for key, value in variables.items() for arg in
                     ("--var", f"{key}={value}")])
    assert done.returncode == 0, done.stderr
    user_data = out.read_bytes()

    document = yaml.safe_load(user_data)
    contents = {f["path"]: f["content"] for f in document["write_files"]}
    assert {key: contents[f"/var/tmp/yaml/{key}"] for key in variables} == variables
    findings = lint_findings(out)
    # shellcheck's notes on quoted `$(...)` and `'\''` (SC2016, SC1003) are info, not errors
    assert [f for f in findings if (f["rule"], f["severity"]) != ("shellcheck", "info")] \
        == [], findings

    peers("mock")
    vm.seed(user_data)
    boot = vm.boot()
    assert boot.ok, boot.describe()
    assert vm.failed_scripts() == [] and cloud_init_errors(vm) == []
    assert vm.exists(ENV_FILE)
    assert not vm.exists(CANARY), "a hostile value ran as a command"
    assert vm.exists(CONTROL), "the | raw control did not run: the canary proves nothing"
    for key, value in variables.items():
        assert vm.path(f"/var/tmp/yaml/{key}").read_bytes() == value.encode(), key
        assert vm.path(f"/var/tmp/sh/{key}").read_bytes() == value.encode(), key
    assert "syntax error" not in vm.output_log() and "not found" not in vm.output_log()


def lint_findings(path: Path) -> list[dict]:
    done = run_cli("lint", "--format", "json", str(path))
    assert done.returncode in (0, 1), done.stderr
    [report] = json.loads(done.stdout)["files"]
    return report["findings"]


# --- the examples --------------------------------------------------------------------------------

EXAMPLES = ROOT / "examples" / "templates"
# No mirror is reachable from the instance's network: an apt-get that records what cloud-init
# asked of it stands in for the real one (cloud-init calls it through PATH).
APT_STUB = "#!/bin/sh\nprintf '%s\\n' \"$*\" >>/var/tmp/apt-get.calls\n"


def documented_commands() -> list[tuple[str, list[str]]]:
    """(example, argv) for every `bootstrapper render ...` line in an example's comments:
    each top-level template, and each directory (a --template-dir) through any file in it."""
    found = []
    for example in sorted(EXAMPLES.iterdir()):
        files = sorted(example.rglob("*.j2")) if example.is_dir() else [example]
        for path in files:
            text = path.read_text().replace("\\\n", " ")
            for line in re.findall(r"^\s*(bootstrapper render .+?)\s*(?:-?#\})?$", text, re.MULTILINE):
                found.append((example.name, shlex.split(line)[1:]))
    return found


COMMANDS = documented_commands()


def test_every_example_documents_its_command():
    documented = {name for name, _ in COMMANDS}
    assert documented == {p.name for p in EXAMPLES.iterdir()}, "an example without a " \
        "`bootstrapper render ...` line in its header"


@pytest.mark.parametrize("argv", [argv for _, argv in COMMANDS],
                         ids=[name for name, _ in COMMANDS])
def test_example_renders_lints_clean_and_boots(vm, peers, tmp_path, argv):
    out = tmp_path / "user-data"
    done = run_cli(*argv, "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert lint_findings(out) == []

    peers("mock")
    vm.write("/usr/local/sbin/apt-get", APT_STUB, 0o755)
    vm.seed(out.read_bytes())
    boot = vm.boot()
    assert boot.ok, boot.describe()
    assert vm.failed_scripts() == [] and cloud_init_errors(vm) == []
    env_file = argv[argv.index("--env-file") + 1] if "--env-file" in argv else ENV_FILE
    assert set(parse_env(vm.read(env_file))) >= {"AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN"}
    units = [unit for _, unit in vm.enabled_units()]
    assert "bootstrapper-credentials.timer" in units
    verify = vm.run(["systemd-analyze", "verify", *units])
    assert (verify.returncode, verify.stderr) == (0, ""), verify.stderr
    check_example(argv, vm, units)


def check_example(argv: list[str], vm, units: list[str]) -> None:
    """What each example itself promises, beyond a healthy boot."""
    variables = dict(argv[i + 1].split("=", 1) for i, a in enumerate(argv) if a == "--var")
    name = Path(argv[argv.index("--template") + 1]).name if "--template" in argv else \
        Path(argv[argv.index("--template-dir") + 1]).name
    if name.startswith("web-app."):  # the app's config, as its unit or `. file` reads it
        for key, var in (("DOMAIN", "domain"), ("ASSET_BUCKET", "bucket")):
            if var in variables:
                read = vm.sh(f'. /etc/web-app/config.env && printf %s "${key}"')
                assert read.stdout == variables[var], read.stderr
    if name == "web-app.yaml.j2":
        assert "install nginx" in vm.read("/var/tmp/apt-get.calls")
        assert "web-app.service" in units  # enabled by after_credentials
        assert "bootstrapper-lockdown.service" in units
    if name == "fast-refresh":
        timer = vm.read("/etc/systemd/system/bootstrapper-credentials.timer")
        assert "fast-refresh override" in timer and "OnUnitActiveSec=1min" in timer
