#!/bin/bash
set -euo pipefail
# pasted from the runbook (edited on Windows)
yum install -y httpd
systemctl enable --now httpd
