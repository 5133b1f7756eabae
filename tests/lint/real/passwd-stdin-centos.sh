#!/bin/bash
yum -y update
useradd -m jenkins
echo 'J3nkins#Build' | passwd --stdin jenkins
echo "jenkins ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/jenkins
chmod 0440 /etc/sudoers.d/jenkins
