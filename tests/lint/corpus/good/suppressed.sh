#!/bin/sh
# An old agent that only speaks IMDSv1, on purpose: suppressed where it is used.
set -eu
curl -s http://169.254.169.254/latest/meta-data/instance-id > /tmp/id # bootstrapper: disable=imdsv1
# bootstrapper: disable-line=imdsv1
wget -qO- http://169.254.169.254/latest/meta-data/ami-id > /tmp/ami
# bootstrapper: disable=imdsv1,shellcheck
curl -s http://169.254.169.254/latest/meta-data/hostname > /tmp/host
cat $(echo /tmp/host)
# bootstrapper: enable=imdsv1,shellcheck
echo "done"
