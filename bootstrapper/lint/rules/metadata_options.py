"""metadata-options: a launch template or instance that carries user-data but leaves IMDSv1 on.

Where Terraform (`aws_instance`, `aws_launch_template`, `aws_launch_configuration`) or
CloudFormation (`AWS::EC2::LaunchTemplate`) hands user-data to EC2, its
`metadata_options { http_tokens }` (`MetadataOptions: HttpTokens`) should be `required`:
with `optional`, any process or SSRF can read the role's credentials without a token
(error); left out, the AMI's default decides, which is `optional` on most images (warning).
Reported at the user-data's first line, naming the block and its file:line. checkov and
trivy check the setting alone; here it sits beside the script that depends on it.

Fails (a .tf file; tests/lint/corpus/bad/metadata-options.tf is linted):
    resource "aws_launch_template" "web" {
      user_data = filebase64("user-data.sh")
      metadata_options { http_tokens = "optional" }
    }
Passes:
    resource "aws_launch_template" "web" {
      user_data = filebase64("user-data.sh")
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
