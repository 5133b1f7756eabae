#!/bin/bash
set -eu
az=$(wget -qO- "http://[fd00:ec2::254]/latest/meta-data/placement/availability-zone")
echo "$az" > /etc/az
