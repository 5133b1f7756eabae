#!/bin/bash
set -eu
umask 077
mkdir -p /etc/app
aws ssm get-parameters-by-path --path /app/prod --with-decryption \
  --query 'Parameters[].[Name,Value]' --output text |
  while read -r name value; do
    printf '%s=%s\n' "${name##*/}" "$value"
  done > /etc/app/app.env
chmod 600 /etc/app/app.env
systemctl restart app
