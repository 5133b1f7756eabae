"""The rule registry (bootstrapper.lint.rules.RULES) imports a rule's module when asked for
it: a render that misses the cache validates with 9 of the 15 rules and must not pay for
the others (benchmarks/render.py times it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bootstrapper.lint.rules import FORMER_IDS, RULES, names
from bootstrapper.validate import RENDER_RULES


def test_every_rule_module_declares_the_id_it_is_registered_under():
    assert len(RULES) == 15 and all(RULES[rule_id].ID == rule_id for rule_id in RULES)


def test_split_rules_keep_their_former_ids():
    assert FORMER_IDS == {"duplicate-key": "yaml-syntax", "unknown-key": "schema"}
    assert names("unknown-key") == ("unknown-key", "schema") and names("imdsv1") == ("imdsv1",)


_PROBE = """
import json, sys
from bootstrapper import build, profile, validate
text = build.render.render(profile.from_mapping({"format": sys.argv[1]})).text
assert validate.check(text, sys.argv[1], "x") == []
prefix = "bootstrapper.lint.rules."
print(json.dumps([sorted(m[len(prefix):] for m in sys.modules if m.startswith(prefix)),
                  "difflib" in sys.modules, "bootstrapper.lint.schemas" in sys.modules]))
"""


def _validated(kind: str) -> tuple[list[str], bool, bool]:
    done = subprocess.run([sys.executable, "-c", _PROBE, kind], capture_output=True,
                          text=True, env={**os.environ, "BOOTSTRAPPER_NO_CACHE": "1"},
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_render_validation_imports_only_the_rules_it_runs():
    imported, difflib, _ = _validated("cloud-config")
    assert imported == sorted(rule_id.replace("-", "_") for rule_id in RENDER_RULES)
    assert not difflib, "difflib is only for suggestions in error messages"


def test_a_shell_user_data_is_validated_without_the_schema_code():
    """No cloud-config in it: no rule asks for the schema checker (~3 ms to import)."""
    assert _validated("shell")[2] is False
    assert _validated("cloud-config")[2] is True
