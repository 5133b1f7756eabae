"""metadata-options: a Terraform
`aws_instance`/`aws_launch_template`/`aws_launch_configuration` or a CloudFormation
`AWS::EC2::LaunchTemplate` that carries user-data with `http_tokens` `optional` (error) or
unset (warning).

A launch template or instance that hands user-data to EC2 should require IMDSv2
(`metadata_options { http_tokens = "required" }`, `MetadataOptions: {HttpTokens: required}`):
with `optional`, any process or SSRF on the instance can read the role's credentials with a
plain GET (error); unset, the AMI's default decides, which is `optional` on most images
(warning). Reported at the first line of the user-data that block carries (a referenced
file, or the inline heredoc in the `.tf`), naming the block and its `file:line`. Module
inputs are not checked: the module sets its own options. checkov and trivy check the
setting alone; here it sits beside the script that depends on it.

FAIL (main.tf):
    resource "aws_launch_template" "web" {
      user_data = base64encode(<<-EOF
        #!/bin/sh
        echo started
      EOF
      )
      metadata_options { http_tokens = "optional" }
    }
PASS (main.tf):
    resource "aws_launch_template" "web" {
      user_data = base64encode(<<-EOF
        #!/bin/sh
        echo started
      EOF
      )
      metadata_options { http_tokens = "required" }
    }
"""

from __future__ import annotations

ID = "metadata-options"
SEVERITY = "error"
OPTIONS: dict = {}


def check(doc, ctx):
    if doc.where:  # only the user-data itself, not its layers
        return
    for carrier in getattr(doc, "carriers", ()):
        if carrier.checkable and carrier.http_tokens != "required":
            yield _finding(doc, carrier)


def _finding(doc, carrier):
    where = f"{carrier.what} ({carrier.file}:{carrier.line})"
    if carrier.http_tokens is None:
        return doc.problem(1, 0, ID, "warning", f"{where} carries this user-data but does not "
                           "set http_tokens = \"required\": the AMI's default (often "
                           "optional) leaves IMDSv1 open")
    return doc.problem(1, 0, ID, SEVERITY, f"{where} carries this user-data with http_tokens "
                      f"= {carrier.http_tokens!r}: IMDSv1 stays open to any process; set "
                      "\"required\"")
