#!/bin/sh
# bootstrapper: disable-file=shellcheck
set -eu
curl -s http://169.254.169.254/latest/meta-data/instance-id > /tmp/id
# bootstrapper: disable=imdsv1
curl -s http://169.254.169.254/latest/meta-data/ami-id > /tmp/ami
# bootstrapper: enable=imdsv1
curl -s http://169.254.169.254/latest/meta-data/hostname > /tmp/h # bootstrapper: disable=secret-in-log
echo $UNQUOTED
