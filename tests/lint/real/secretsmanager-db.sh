#!/bin/bash
set -euo pipefail
REGION=$(curl -s -H "X-aws-ec2-metadata-token: $(curl -s -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')" \
  http://169.254.169.254/latest/meta-data/placement/region)
DB_PASSWORD=$(aws secretsmanager get-secret-value --region "$REGION" \
  --secret-id prod/app/db --query SecretString --output text)
mysql -h db.internal -u app -p"$DB_PASSWORD" -e "SELECT 1"
install -m 600 /dev/null /etc/app/db.env
printf 'DB_PASSWORD=%s\n' "$DB_PASSWORD" > /etc/app/db.env
