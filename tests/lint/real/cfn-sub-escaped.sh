#!/bin/bash
yum install -y jq
INSTANCE_ID=$(ec2-metadata -i | cut -d ' ' -f 2)
echo "instance ${!INSTANCE_ID} in ${AWS::Region}" > /etc/motd
aws cloudformation signal-resource --stack-name ${AWS::StackName} --logical-resource-id Server \
  --unique-id "${!INSTANCE_ID}" --status SUCCESS --region ${AWS::Region}
