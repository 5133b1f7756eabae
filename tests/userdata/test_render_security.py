"""Render validates its output with lint's security rules (issue 17): a user template that
prints a secret or calls IMDS without a token is refused (exit 1), the finding pointing at
the template line."""

from __future__ import annotations

import pytest
from support import assert_clean_error, run_cli, user_template




@pytest.mark.parametrize("entry", ["cloud-config.yaml.j2", "user-data.sh.j2"])
@pytest.mark.parametrize("body,rule", [
    ('echo "key is $AWS_SECRET_ACCESS_KEY"', "secret-in-log"),
    ("curl -s http://169.254.169.254/latest/meta-data/instance-id >/tmp/id", "imdsv1"),
])
def test_a_template_breaking_a_security_rule_is_refused_at_its_line(tmp_path, entry, body,
                                                                     rule):
    template = user_template(tmp_path, body, entry)
    result = run_cli("render", "--template", template, env={"BOOTSTRAPPER_NO_CACHE": "1"})
    line = assert_clean_error(result, 1, rule)
    assert f"[from {template}:2]" in line or f"{template}:2" in line, line
