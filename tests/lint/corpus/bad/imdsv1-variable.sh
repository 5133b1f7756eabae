#!/bin/sh
set -eu
MD="http://169.254.169.254/latest/meta-data"
ROLE_URL="$MD/iam/security-credentials/"
ROLE=$(curl -sf "$ROLE_URL")
echo "$ROLE" > /etc/role
