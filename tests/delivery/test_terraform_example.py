"""examples/terraform: the module sends only query keys bootstrapper accepts, and the query
the example's root module sends works when run exactly as Terraform runs the program.
(No Terraform binary or provider can be fetched here, so the HCL is checked by reading it.)"""

from __future__ import annotations

import base64
import gzip
import json
import re

from delivery_support import ROOT, go_json, run_as_terraform

from bootstrapper import explain
from bootstrapper.profile import FIELD_BY_KEY
from bootstrapper.profile import NOT_QUERY_KEYS

EXAMPLE = ROOT / "examples" / "terraform"
MODULE = EXAMPLE / "modules" / "bootstrapper-user-data"


def module_query_keys() -> list[str]:
    text = (MODULE / "main.tf").read_text()
    body = re.search(r"merge\(\{(.*?)\}, var\.extra_query\)", text, re.S).group(1)
    return re.findall(r"^\s*([a-z_]+)\s*=", body, re.M)


def test_module_sends_only_keys_bootstrapper_accepts():
    keys = module_query_keys()
    assert {"format", "role", "lockdown", "parts", "gzip"} <= set(keys)
    for key in keys:
        assert key in FIELD_BY_KEY and key not in NOT_QUERY_KEYS, key


def test_every_module_variable_is_used():
    variables = re.findall(r'^variable "([a-z_]+)"', (MODULE / "variables.tf").read_text(),
                           re.M)
    text = (MODULE / "main.tf").read_text()
    for name in variables:
        assert f"var.{name}" in text, name


def test_module_runs_the_program_without_a_shell():
    text = (MODULE / "main.tf").read_text()
    assert 'program     = [var.bootstrapper, "terraform"]' in text


def test_the_example_query_as_terraform_sends_it():
    # what Terraform evaluates main.tf's module block to (path.module is "." at the root);
    # main.tf sets gzip = true, which it no longer needs: with lockdown, a service and a
    # part, the raw user-data fits EC2's 16 KB with room for the user's own parts (issue 15)
    query = {"format": "mime", "role": "app-role", "app_user": "app", "service": "app",
             "lockdown": "true", "parts": json.dumps(["./app.yaml"]), "gzip": "true"}
    assert re.search(r"^\s*gzip\s*=\s*true$", (EXAMPLE / "main.tf").read_text(), re.M)
    result = run_as_terraform(go_json(query), cwd=EXAMPLE)
    assert result.returncode == 0, result.stderr.decode()
    out = json.loads(result.stdout)
    payload = gzip.decompress(base64.b64decode(out["user_data_base64"]))
    report = explain.explain(payload)
    assert report.parts[0].content == (EXAMPLE / "app.yaml").read_bytes()
    raw = run_as_terraform(go_json({**query, "gzip": "false"}), cwd=EXAMPLE)
    assert raw.returncode == 0, raw.stderr.decode()
    size = len(base64.b64decode(json.loads(raw.stdout)["user_data_base64"]))
    assert size < 12 * 1024 < 16384
