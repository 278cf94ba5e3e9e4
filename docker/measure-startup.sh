#!/usr/bin/env bash
# Start-up of the JVM server: time from process start to /q/health/ready = 200 and to the first token of one
# /v1/completions (max_tokens 1), and the RSS after it, for each start-up variant:
#   plain   java --add-modules jdk.incubator.vector -jar quarkus-run.jar
#   appcds  the same with a dynamic AppCDS archive (-XX:ArchiveClassesAtExit training run, then -XX:SharedArchiveFile)
#   aot     the same with a JDK 25 AOT cache (-XX:AOTCacheOutput training run, then -XX:AOTCache)
# each with the engine's warm-up on (default) and, for plain, off (MINNOW_WARMUP=false).
#
# usage: docker/measure-startup.sh [runs (3)] [variants ("plain nowarmup appcds aot")]
# env:   JAVA (java of $JAVA_HOME), APP (target/quarkus-app), PORT (18080), MINNOW_THREADS, MINNOW_MODEL_PATH,
#        JAVA_EXTRA (more JVM options for every run)
# Needs curl; prints one line per run and the median of each variant. Build first: ./mvnw package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
VARIANTS="${2:-plain nowarmup appcds aot}"
JAVA="${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
APP="${APP:-target/quarkus-app}"
PORT="${PORT:-18080}"
WORK="$(mktemp -d)"
BASE="http://127.0.0.1:${PORT}"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
[ -f "$APP/quarkus-run.jar" ] || { echo "no $APP/quarkus-run.jar: run ./mvnw package -DskipTests first" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 2; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# start VARIANT-OPTIONS... : starts the server in the background, sets PID and T0
start() {
  T0=$(now_ms)
  QUARKUS_HTTP_PORT="$PORT" "$JAVA" --add-modules jdk.incubator.vector -Xlog:disable -Xlog:all=error:stderr \
      ${JAVA_EXTRA:-} "$@" -jar "$APP/quarkus-run.jar" >"$WORK/server.log" 2>&1 &
  PID=$!
}

wait_ready() {
  local deadline=$(( $(now_ms) + 120000 ))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/q/health/ready" 2>/dev/null)" = 200 ]; do
    if ! kill -0 "$PID" 2>/dev/null; then echo "server exited:" >&2; tail -20 "$WORK/server.log" >&2; exit 1; fi
    [ "$(now_ms)" -lt "$deadline" ] || { echo "not ready in 120 s" >&2; tail -20 "$WORK/server.log" >&2; exit 1; }
    sleep 0.005
  done
}

complete() {
  curl -sf -H 'Content-Type: application/json' \
      -d '{"prompt":"In the beginning","max_tokens":'"${1:-1}"',"temperature":0}' "$BASE/v1/completions" >/dev/null
}

stop() {
  kill -TERM "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=""
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }

# train OUTPUT-OPTION: one run that serves a few requests, then exits so the JVM writes the archive or cache
train() {
  start "$@"
  wait_ready
  for _ in 1 2 3; do complete 16; done
  stop
}

measure() { # measure NAME OPTIONS...
  local name="$1"; shift
  start "$@"
  wait_ready
  local ready=$(( $(now_ms) - T0 ))
  complete 1
  local first=$(( $(now_ms) - T0 ))
  local rss; rss=$(rss_kb)
  stop
  printf '%-9s ready %6d ms  first token %6d ms  RSS %5d MB\n' "$name" "$ready" "$first" $(( rss / 1024 ))
  echo "$name $ready $first $(( rss / 1024 ))" >>"$WORK/results"
}

for v in $VARIANTS; do
  case "$v" in
    plain)    opts=() ;;
    nowarmup) opts=(-Dminnow.warmup=false) ;;
    appcds)   train -XX:ArchiveClassesAtExit="$WORK/app.jsa"; opts=(-XX:SharedArchiveFile="$WORK/app.jsa") ;;
    aot)      train -XX:AOTCacheOutput="$WORK/app.aot"; opts=(-XX:AOTCache="$WORK/app.aot") ;;
    *) echo "unknown variant $v" >&2; exit 2 ;;
  esac
  for _ in $(seq "$RUNS"); do measure "$v" "${opts[@]}"; done
done

echo "median of $RUNS runs (java: $("$JAVA" -version 2>&1 | grep -m1 version), $(nproc) CPUs):"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
for v in $VARIANTS; do
  r=$(awk -v v="$v" '$1 == v {print $2}' "$WORK/results" | median)
  f=$(awk -v v="$v" '$1 == v {print $3}' "$WORK/results" | median)
  m=$(awk -v v="$v" '$1 == v {print $4}' "$WORK/results" | median)
  printf '  %-9s ready %6d ms  first token %6d ms  RSS %5d MB\n' "$v" "$r" "$f" "$m"
done
