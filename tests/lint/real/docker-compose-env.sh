#!/bin/bash
# single-node staging box: app and database in containers
amazon-linux-extras install -y docker
systemctl enable --now docker
export POSTGRES_PASSWORD="St4ging-Db-2024"
docker run -d --name db --restart always -e POSTGRES_PASSWORD="$POSTGRES_PASSWORD" postgres:15
docker run -d --name app --restart always --link db -p 80:3000 \
  -e DATABASE_URL="postgres://app:$POSTGRES_PASSWORD@db:5432/app" \
  -e SESSION_SECRET=9f8e7d6c5b4a3f2e1d0c \
  ghcr.io/acme/app:staging
