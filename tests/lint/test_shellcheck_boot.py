"""shellcheck findings judged for boot scripts: levels, templates, runcmd lists."""

from __future__ import annotations

from lint_support import codes, lint_text

TF = """#!/bin/bash
useradd -m ${admin_user}
for pkg in ${join(" ", packages)}; do
  yum install -y "$${pkg}"
done
%{ if enable_efs }
mount -t efs ${efs_id}:/ /mnt/efs
%{ endif }
echo "$${undefined_here}"
"""


def test_terraform_template_placeholders_are_values_not_variables(tmp_path):
    found = lint_text(tmp_path, TF, "user-data.sh.tftpl")
    assert "SC2154" not in codes(found, "warning") or all(
        "undefined_here" in p.message for p in found if "SC2154" in p.message)
    assert not {"SC1083", "SC2288", "SC2043", "SC2034"} & codes(found)
    # the shell's own variable, written $${x}, is still checked, at its written column
    [unset] = [p for p in found if "SC2154" in p.message]
    assert (unset.line, unset.column) == (9, 8)


def test_cloudformation_sub_placeholders(tmp_path):
    text = ("#!/bin/bash\nID=$(cat /etc/id)\n"
            "echo \"${!ID} in ${AWS::Region} for ${Cluster}\" > /etc/motd\n")
    assert not codes(lint_text(tmp_path, text), "warning")


def test_plain_script_still_reports_unassigned_variables(tmp_path):
    assert "SC2154" in codes(lint_text(tmp_path, "#!/bin/sh\necho \"${cluster}\"\n"))


def test_root_boot_script_levels(tmp_path):
    text = ("#!/bin/bash\nsudo echo x > /etc/x.conf\nexport IP=$(hostname -I)\ncd /opt\n"
            "chown app $(find /opt/app -name x)\necho done\n")
    found = lint_text(tmp_path, text)
    assert "SC2024" not in codes(found)
    assert {"SC2155", "SC2164", "SC2046"} <= codes(found, "info")
    assert not codes(found, "warning")


def test_a_script_that_cannot_run_stays_an_error(tmp_path):
    found = lint_text(tmp_path, "#!/bin/sh\nif [ -f /x ]; then\n  echo x\n")
    assert "SC1046" in codes(found, "error")


def test_runcmd_entries_are_one_script(tmp_path):
    text = """#cloud-config
runcmd:
  - 'TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")'
  - 'ID=$(curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)'
  - echo "$ID"
  - UNUSED=1
bootcmd:
  - echo "$token"
"""
    found = lint_text(tmp_path, text)
    assert [(p.line, p.message.split(":")[0]) for p in found if p.rule == "shellcheck"
            and p.severity != "info"] == [(6, "SC2034"), (8, "SC2154")]


def test_a_braced_only_unassigned_variable_reads_as_a_placeholder(tmp_path):
    text = '#!/bin/bash\necho "ECS_CLUSTER=${cluster_name}" >> /etc/ecs/ecs.config\necho "$other"\n'
    found = [p for p in lint_text(tmp_path, text) if "SC2154" in p.message]
    assert [(p.line, p.severity) for p in found] == [(2, "info"), (3, "warning")]
    assert "templatefile placeholder" in found[0].message


def test_mustache_placeholders_keep_the_shells_own_variables(tmp_path):
    text = ('#!/bin/bash -xe\n/opt/aws/bin/cfn-init -v --stack {{ stack_id }} --region {{region}}\n'
            '{% if signal %}\n/opt/aws/bin/cfn-signal -e $? --stack "{{ stack_id }}"\n{% endif %}\n'
            'echo "${unset_here}"\n')
    found = lint_text(tmp_path, text, "user-data.sh.j2")
    assert "SC1083" not in codes(found)
    assert [p.line for p in found if "SC2154" in p.message] == [6]


def test_a_tftpl_file_without_other_marks(tmp_path):
    text = '#!/bin/bash\necho "ECS_CLUSTER=${cluster_name}" >> /etc/ecs/ecs.config\n'
    assert lint_text(tmp_path, text, "user-data.sh.tftpl") == []
