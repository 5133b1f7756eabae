#!/bin/bash
export PRIVATE_IP=$(hostname -I | awk '{print $1}')
cd /opt
wget https://github.com/prometheus/node_exporter/releases/download/v1.6.1/node_exporter-1.6.1.linux-amd64.tar.gz
tar xvfz node_exporter-*.tar.gz
cd node_exporter-1.6.1.linux-amd64
cp node_exporter /usr/local/bin/
useradd --no-create-home --shell /bin/false node_exporter
chown node_exporter:node_exporter /usr/local/bin/node_exporter
kill $(pgrep -f old_exporter) || true
echo "exporter on $PRIVATE_IP:9100"
