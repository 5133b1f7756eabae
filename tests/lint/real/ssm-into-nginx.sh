#!/bin/bash
yum -y install nginx
UPSTREAM_TOKEN=$(aws ssm get-parameter --name /shop/backend-token --with-decryption --query Parameter.Value --output text)
aws s3 cp s3://shop-bootstrap/nginx/api.conf /etc/nginx/conf.d/api.conf
sed -i "s/__BACKEND_TOKEN__/$UPSTREAM_TOKEN/" /etc/nginx/conf.d/api.conf
systemctl enable --now nginx
mkdir -p /home/ubuntu/.docker
aws s3 cp s3://shop-bootstrap/docker/dockercfg /home/ubuntu/.dockercfg
