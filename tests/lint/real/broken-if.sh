#!/bin/bash
yum install -y httpd
if [ -f /etc/httpd/conf/httpd.conf ]; then
  sed -i 's/Listen 80/Listen 8080/' /etc/httpd/conf/httpd.conf
systemctl enable --now httpd
