#!/bin/bash
# Training run for the JDK 25 AOT cache (JEP 483/514): starts the server with -XX:AOTCacheOutput=FILE, waits until
# /q/health/ready is 200 (the engine has warmed its kernels), serves a few completions and chat completions, and
# stops it; the JVM writes FILE as it exits. Later starts with -XX:AOTCache=FILE load and link classes from it.
# The cache is only valid for the same java runtime and the same class path, so run this where the image runs:
# same JDK, same /opt/minnow paths. bash built-ins only (no curl needed).
#
# usage: aot-train.sh FILE [java] [quarkus-run.jar]
set -euo pipefail
out="$1"
java="${2:-java}"
jar="${3:-/opt/minnow/quarkus-run.jar}"
port="${QUARKUS_HTTP_PORT:-8080}"
here="$(cd "$(dirname "$0")" && pwd)"

"$java" -XX:AOTCacheOutput="$out" -jar "$jar" &
pid=$!
for _ in $(seq 1200); do
  if QUARKUS_HTTP_PORT="$port" bash "$here/healthcheck.sh" 2>/dev/null; then ready=1; break; fi
  kill -0 "$pid" 2>/dev/null || { echo "aot-train: the server exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "${ready:-}" ] || { echo "aot-train: not ready in 120 s" >&2; kill "$pid"; exit 1; }

post() { # post PATH JSON: one HTTP/1.0 POST, the response read and dropped
  local body="$2"
  exec 3<>"/dev/tcp/127.0.0.1/${port}"
  printf 'POST %s HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
      "$1" "${#body}" "$body" >&3
  local line status=""
  while IFS= read -r -t 30 line <&3; do [ -n "$status" ] || status="$line"; done
  exec 3<&-
  case "$status" in "HTTP/1."?" 200"*) ;; *) echo "aot-train: $1 answered '$status'" >&2; return 1 ;; esac
}
for _ in 1 2 3; do
  post /v1/completions '{"prompt":"In the beginning","max_tokens":16}'
  post /v1/completions '{"prompt":"And God said","max_tokens":8,"stream":true}'
  post /v1/chat/completions '{"messages":[{"role":"user","content":"Hello"}],"max_tokens":8}'
done
kill -TERM "$pid"
wait "$pid" || true
[ -s "$out" ] || { echo "aot-train: no cache written to $out" >&2; exit 1; }
echo "aot-train: wrote $out ($(du -h "$out" | cut -f1))"
