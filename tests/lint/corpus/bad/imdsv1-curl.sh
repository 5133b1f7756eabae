#!/bin/sh
set -eu
ID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)
REGION=$(curl -s http://169.254.169.254/latest/meta-data/placement/region); echo "$REGION" > /etc/region
curl -s http://169.254.169.254/latest/user-data \
  -o /tmp/user-data
echo "$ID" > /etc/instance-id
