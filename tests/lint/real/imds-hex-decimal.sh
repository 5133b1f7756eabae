#!/bin/bash
ID=$(wget -qO- http://0xa9fea9fe/latest/meta-data/instance-id)
TYPE=$(curl -s http://2852039166/latest/meta-data/instance-type)
echo "$ID $TYPE" > /etc/instance.txt
