#!/bin/bash
# Container health probe without curl: one HTTP/1.0 GET of /q/health/ready over bash's /dev/tcp, healthy on 200.
# Uses bash built-ins only (the UBI micro runtime has bash but neither curl nor grep).
# MINNOW_HEALTH_URL_PATH and QUARKUS_HTTP_PORT may change what is probed.
port="${QUARKUS_HTTP_PORT:-8080}"
path="${MINNOW_HEALTH_URL_PATH:-/q/health/ready}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status <&3 || exit 1
exec 3<&-
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) exit 1 ;;
esac
