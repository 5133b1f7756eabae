#!/bin/bash
curl -L "https://packages.gitlab.com/install/repositories/runner/gitlab-runner/script.rpm.sh" | bash
yum install -y gitlab-runner docker
systemctl enable --now docker
gitlab-runner register --non-interactive \
  --url "https://gitlab.com/" \
  --registration-token "glpat-x7Hq3ZkLm9Rv2TnWp5Yc" \
  --executor docker \
  --docker-image alpine:latest \
  --description "ec2-runner"
