#!/bin/bash
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y mysql-server
systemctl start mysql
mysql -u root -p'R00t-Passw0rd' -e "CREATE DATABASE appdb;"
mysql -u root -p'R00t-Passw0rd' -e "CREATE USER 'app'@'%' IDENTIFIED BY 'AppUs3rPw';"
mysql -u root -p'R00t-Passw0rd' -e "GRANT ALL ON appdb.* TO 'app'@'%'; FLUSH PRIVILEGES;"
