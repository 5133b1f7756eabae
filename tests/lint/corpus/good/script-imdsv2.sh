#!/bin/sh
# A shell user-data that writes the role's credentials for an app, the careful way:
# private umask, token in a header file, nothing printed.
set -eu
umask 077
IMDS=http://169.254.169.254
HEADERS=$(mktemp)
printf 'X-aws-ec2-metadata-token-ttl-seconds: 300\n' >"$HEADERS"
TOKEN=$(curl -sS -X PUT -H @"$HEADERS" "$IMDS/latest/api/token")
printf 'X-aws-ec2-metadata-token: %s\n' "$TOKEN" >"$HEADERS"
ROLE=$(curl -sS -H @"$HEADERS" "$IMDS/latest/meta-data/iam/security-credentials/")
CREDS=$(curl -sS -H @"$HEADERS" "$IMDS/latest/meta-data/iam/security-credentials/$ROLE")
rm -f "$HEADERS"
mkdir -p /etc/app
{
  echo "AWS_ACCESS_KEY_ID=$(echo "$CREDS" | jq -r .AccessKeyId)"
  echo "AWS_SECRET_ACCESS_KEY=$(echo "$CREDS" | jq -r .SecretAccessKey)"
  echo "AWS_SESSION_TOKEN=$(echo "$CREDS" | jq -r .Token)"
} >/etc/app/credentials.env
echo "credentials for role $ROLE written"
