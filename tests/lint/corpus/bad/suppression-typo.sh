#!/bin/sh
# the AMI id goes into the motd
AMI=$(curl -s http://169.254.169.254/latest/meta-data/ami-id) # bootstrapper: disabel=imdsv1
echo "$AMI" > /etc/motd
