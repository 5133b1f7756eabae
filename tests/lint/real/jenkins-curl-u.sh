#!/bin/bash
set -e
yum install -y java-17-amazon-corretto jenkins
systemctl start jenkins
sleep 60
curl -s -u admin:Jenk1nsAdm1n http://localhost:8080/pluginManager/installNecessaryPlugins \
  -d '<install plugin="git@latest" />' -H 'Content-Type: text/xml'
