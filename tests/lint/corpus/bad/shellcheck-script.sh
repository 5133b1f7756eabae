#!/bin/sh
set -eu
SRC=$1
cp $SRC /srv/app/
if [[ -f /srv/app/ready ]]; then
  echo "ready"
fi
for f in $(ls /srv/app); do
  echo "$f"
done
