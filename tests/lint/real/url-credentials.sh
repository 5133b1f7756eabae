#!/bin/bash
apt-get update && apt-get install -y git python3-pip
git clone https://deploybot:Zq8fT3vLk2Rn@git.acme-internal.net/platform/worker.git /srv/worker
pip3 install -r /srv/worker/requirements.txt
