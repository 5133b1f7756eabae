#!/bin/bash -xe
# rendered by an Ansible template task before the stack is created
yum update -y aws-cfn-bootstrap
/opt/aws/bin/cfn-init -v --stack {{ stack_name }} --resource {{ resource_name }} --region {{ aws_region }}
{% if send_signal %}
/opt/aws/bin/cfn-signal -e $? --stack "{{ stack_name }}" --resource {{ asg_name }} --region {{ aws_region }}
{% endif %}
