#!/bin/bash
yum install -y docker
systemctl start docker
usermod -aG docker ec2-user
docker login -u acmebuild -p dckr_pat_2bQkV9xR7mT4wLpZs8NcYd1Hf3E docker.io
docker run -d --restart always -p 80:8080 acmebuild/webapp:latest
