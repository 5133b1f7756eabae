#!/bin/bash
# lab workstation: let students log in with a password
apt-get update -y
apt-get install -y xfce4 xrdp
echo "ubuntu:Stud3nt!Lab2023" | chpasswd
sed -i 's/^PasswordAuthentication no/PasswordAuthentication yes/' /etc/ssh/sshd_config
systemctl restart ssh
systemctl enable --now xrdp
