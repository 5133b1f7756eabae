#!/bin/bash
sudo apt-get update
sudo apt-get install -y nginx
sudo echo "server_tokens off;" > /etc/nginx/conf.d/tokens.conf
sudo cat /tmp/site.conf >> /etc/nginx/sites-available/default
sudo systemctl restart nginx
