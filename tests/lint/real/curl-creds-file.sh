#!/bin/bash
# the legacy app reads its AWS keys from a JSON file
ROLE=$(curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/)
mkdir -p /etc/legacy-app
curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/$ROLE > /etc/legacy-app/creds.json
systemctl restart legacy-app
