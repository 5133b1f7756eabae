#!/bin/sh
set -eu
log() { printf '%s: %s\n' "$(date +%T)" "$*" >&2; }
check() {
  if [ -z "$2" ]; then log "missing $1"; exit 1; fi
}
check API_KEY "$API_KEY"
log "starting with key $API_KEY"
log "starting" > /var/log/app-start.log
