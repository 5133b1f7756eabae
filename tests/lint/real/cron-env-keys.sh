#!/bin/bash
# refresh the keys the nightly cron jobs read
ROLE=$(curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/)
KEY_URL="http://169.254.169.254/latest/meta-data/iam/security-credentials/$ROLE"
wget -q "$KEY_URL" -O /tmp/iam.json
KEY_ID=$(jq -r .AccessKeyId /tmp/iam.json)
SECRET=$(jq -r .SecretAccessKey /tmp/iam.json)
printf 'export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n' "$KEY_ID" "$SECRET" > /home/ubuntu/.cron-env
echo "keys refreshed for role $ROLE"
