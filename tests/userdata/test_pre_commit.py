"""The pre-commit hook, run for real by `pre-commit try-repo` (issue 17): a bad
scripts/bootstrap.sh that a .tf hands to EC2 fails the commit, and so does a bad script a
CloudFormation template embeds (rain's !Rain::Embed); the same repository with the script
fixed passes. pre-commit installs this checkout into its own environment (a minute
on a cold cache: PRE_COMMIT_HOME is kept per test session)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT

MAIN_TF = '''resource "aws_launch_template" "app" {
  name_prefix = "app-"
  user_data   = base64encode(templatefile("${path.module}/scripts/bootstrap.sh", {}))
  metadata_options {
    http_tokens = "required"
  }
}
'''
STACK_YAML = """Resources:
  App:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions:
          HttpTokens: required
        UserData:
          Fn::Base64: !Rain::Embed scripts/start-app.sh
"""
BAD = "#!/bin/sh\nset -eu\ncurl -s http://169.254.169.254/latest/meta-data/iam/info\n"
GOOD = "#!/bin/sh\nset -eu\necho starting\n"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess:
    binary = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run([binary, "try-repo", str(ROOT), "bootstrapper-lint", "--all-files"],
                          cwd=repo, env=env, capture_output=True, text=True, check=False,
                          timeout=900)


def _hook_on(tmp_path, pre_commit_home, carrier: tuple[str, str], script_name: str,
             script: str, fails: bool) -> None:
    """A repository of `carrier` (name, text) and scripts/`script_name`: the hook fails
    exactly when the script is bad, naming its line."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / carrier[0]).write_text(carrier[1])
    (tmp_path / "scripts" / script_name).write_text(script)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    result = _try_repo(tmp_path, pre_commit_home)
    output = result.stdout + result.stderr
    assert (result.returncode != 0) == fails, output
    if fails:
        assert f"scripts/{script_name}:3: imdsv1" in output, output


@pytest.mark.parametrize("script,fails", [(BAD, True), (GOOD, False)])
def test_the_hook_fails_on_a_bad_script_a_tf_hands_to_ec2(tmp_path, pre_commit_home,
                                                          script, fails):
    _hook_on(tmp_path, pre_commit_home, ("main.tf", MAIN_TF), "bootstrap.sh", script, fails)


@pytest.mark.parametrize("script,fails", [(BAD, True), (GOOD, False)])
def test_the_hook_fails_on_a_bad_script_a_template_embeds(tmp_path, pre_commit_home,
                                                          script, fails):
    # start-app.sh is not named like user-data: only the template's reference finds it
    _hook_on(tmp_path, pre_commit_home, ("stack.yaml", STACK_YAML), "start-app.sh", script,
             fails)
