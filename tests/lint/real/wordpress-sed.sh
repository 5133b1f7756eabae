#!/bin/bash
yum install -y httpd php php-mysqlnd
cd /var/www/html || exit 1
wget -q https://wordpress.org/latest.tar.gz
tar -xzf latest.tar.gz
cp -r wordpress/* .
cp wp-config-sample.php wp-config.php
sed -i "s/database_name_here/wordpress/" wp-config.php
sed -i "s/username_here/wpadmin/" wp-config.php
sed -i "s/password_here/Wp4dm1nDbPass/" wp-config.php
sed -i "s/localhost/wordpress-db.c9akciq32.us-east-1.rds.amazonaws.com/" wp-config.php
chown -R apache:apache /var/www/html
systemctl enable --now httpd
