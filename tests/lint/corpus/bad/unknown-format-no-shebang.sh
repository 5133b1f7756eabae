apt-get update
apt-get install -y nginx
