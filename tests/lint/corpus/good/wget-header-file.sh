#!/bin/bash
# GNU wget with the token header in a config file, and a bash array of curl options.
set -euo pipefail
umask 077
base="http://[fd00:ec2::254]/latest"
token=$(wget -qO- --method=PUT --header="X-aws-ec2-metadata-token-ttl-seconds: 60" "$base/api/token")
printf 'header = X-aws-ec2-metadata-token: %s\n' "$token" > /run/wgetrc
region=$(wget -qO- --config=/run/wgetrc "$base/meta-data/placement/region")
opts=(-sS -H "X-aws-ec2-metadata-token: $token")
az=$(curl "${opts[@]}" "$base/meta-data/placement/availability-zone")
echo "running in $region ($az)"
