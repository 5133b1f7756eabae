#!/bin/bash
yum install -y docker
systemctl enable --now docker
mkdir -p /home/ec2-user/.docker
aws s3 cp s3://acme-build-secrets/registry/config.json /home/ec2-user/.docker/config.json
chown -R ec2-user:ec2-user /home/ec2-user/.docker
sudo -u ec2-user docker pull registry.acme.io/app:stable
