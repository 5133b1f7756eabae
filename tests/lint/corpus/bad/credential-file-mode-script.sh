#!/bin/sh
set -eu
mkdir -p /root/.aws
cat > /root/.aws/credentials <<EOF2
[default]
credential_process = /usr/local/bin/get-creds
EOF2
chmod 644 /root/.aws/credentials
SECRET_FILE=/etc/app/secret.env
/usr/local/bin/get-secret > "$SECRET_FILE"
install /tmp/id_rsa /home/app/.ssh/id_rsa
chmod go+r /home/app/.ssh/id_rsa
