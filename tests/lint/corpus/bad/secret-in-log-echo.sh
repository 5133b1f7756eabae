#!/bin/sh
set -eu
CREDS=$(curl -s -H @/run/imds-headers "http://169.254.169.254/latest/meta-data/iam/security-credentials/app")
KEY=$(echo "$CREDS" | jq -r .SecretAccessKey)
echo "got key $KEY"
printf 'AWS_SECRET_ACCESS_KEY=%s\n' "$KEY" >/etc/app/env
echo "$DB_PASSWORD" | tee /tmp/pw
logger "db password is $DB_PASSWORD"
printenv AWS_SESSION_TOKEN
echo "token ttl: $TOKEN_TTL"
cat /root/.aws/credentials
