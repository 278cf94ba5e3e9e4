#!/usr/bin/env bash
# llama.cpp (lbench, see build.sh) and Minnow's `bench` on the same GGUF files, alternating model by model,
# each `-t 2 -p 128 -n 64 -r 5` as llama-bench runs it; prints one line per run and a table of ratios.
# DEPTH=N runs both tests after N tokens already in the cache (llama-bench's -d N).
#
#   [DEPTH=1000] src/test/llama-cpp/side-by-side.sh LBENCH JAR ROUNDS MODEL.gguf...
set -euo pipefail
lbench=$1 jar=$2 rounds=$3
shift 3
depth=${DEPTH:-0}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
out=$(mktemp)
for r in $(seq 1 "$rounds"); do
  for m in "$@"; do
    "$lbench" "$m" 2 128 64 5 "$depth" \
      | while read -r _ test _ v _; do echo "llama.cpp $r $(basename "$m") $test $v"; done | tee -a "$out"
    "$java" --add-modules=jdk.incubator.vector -jar "$jar" bench --model "$m" --threads 2 --prompt-tokens 128 \
      --gen-tokens 64 --repetitions 5 --depth "$depth" --json 2>/dev/null | grep pp_tokens \
      | sed -E 's/.*"pp_tokens_per_s":([0-9.]+),"tg_tokens_per_s":([0-9.]+).*/\1 \2/' \
      | while read -r pp tg; do echo "minnow $r $(basename "$m") pp128 $pp"; echo "minnow $r $(basename "$m") tg64 $tg"; done | tee -a "$out"
  done
done
echo
echo "| model | round | Minnow pp128 | llama.cpp pp128 | ratio | Minnow tg64 | llama.cpp tg64 | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
awk '{ v[$1" "$2" "$3" "$4] = $5; k[$3" "$2] = 1 }
  END { for (mk in k) { split(mk, a, " "); m = a[1]; r = a[2];
    mp = v["minnow "r" "m" pp128"]; lp = v["llama.cpp "r" "m" pp128"]; mt = v["minnow "r" "m" tg64"]; lt = v["llama.cpp "r" "m" tg64"];
    printf "| %s | %s | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f |\n", m, r, mp, lp, mp / lp, mt, lt, mt / lt } }' "$out" | sort
rm -f "$out"
