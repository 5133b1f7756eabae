#!/bin/bash
yum install -y httpd
systemctl enable --now httpd
echo "ok" > /var/www/html/index.html
