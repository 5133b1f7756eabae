#!/bin/sh
# tell the team a new node is up
HOST=$(hostname -f)
curl -s -X POST -H 'Authorization: Bearer xoxb-2718281828-3141592653-aZ9kQ2mW7rT4yV1nB8cX5dLp' \
  -H 'Content-type: application/json' \
  --data "{\"channel\":\"#ops\",\"text\":\"$HOST booted\"}" \
  https://slack.com/api/chat.postMessage
