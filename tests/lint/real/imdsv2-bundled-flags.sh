#!/usr/bin/bash
# keep a copy of the user-data this instance booted with, for the runbook
TOKEN=$(curl -sX PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300")
INSTANCE_ID=$(curl -sfH "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)
install -d -m 700 /root/boot-records
cp "/var/lib/cloud/instances/${INSTANCE_ID}/user-data.txt" /root/boot-records/
