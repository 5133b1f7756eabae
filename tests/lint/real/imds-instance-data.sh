#!/bin/bash
yum install -y nginx
HOSTNAME_PUBLIC=$(curl -s http://instance-data.ec2.internal/latest/meta-data/public-hostname)
sed -i "s/server_name _;/server_name $HOSTNAME_PUBLIC;/" /etc/nginx/nginx.conf
systemctl enable --now nginx
