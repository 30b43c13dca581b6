#!/usr/bin/env bash
# Screening throughput and peak memory (docs/performance.md), with the simdjson
# floor measured in the same run. Usage (after `make bench`):
#   RUNS=3 bench/screen_bench.sh [SIZES...]  default: 100000 1000000
# Each figure is the fastest of RUNS runs (peak memory: the largest), floor
# included: on a shared machine a single run says more about the neighbours.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build-bench
TM=$B/trialmatch
SIZES=("${@:-100000 1000000}")
read -r -a SIZES <<< "${SIZES[*]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$B/bench/make_trials 100 "$work/trials100" > /dev/null

RUNS=${RUNS:-3}
measure() {  # prints "seconds peak_MB": fastest wall time, largest peak of RUNS runs
  # Wall time from bash's microsecond clock (GNU time's hundredths are too
  # coarse at 10^5 patients); peak memory from GNU time.
  : > "$work/times"
  for _ in $(seq "$RUNS"); do
    local t0=$EPOCHREALTIME
    /usr/bin/time -f "%M" -o "$work/time" "$@" > /dev/null
    local t1=$EPOCHREALTIME
    echo "$t0 $t1 $(tail -1 "$work/time")" >> "$work/times"
  done
  awk '{s = $2 - $1} NR == 1 || s < best {best = s} $3 > m {m = $3} END {printf "%.3f %.0f", best, m/1024}' "$work/times"
}

echo "| patients | input MB | trials | threads | seconds | × floor | patients/s | MB/s | peak MB |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in "${SIZES[@]}"; do
  $TM generate --count "$n" --seed 1 > "$work/pop.jsonl"
  mb=$(awk -v b="$(stat -c %s "$work/pop.jsonl")" 'BEGIN{printf "%.0f", b/1e6}')
  read -r floor m <<< "$(measure $B/bench/simdjson_floor "$work/pop.jsonl")"
  awk -v n="$n" -v mb="$mb" -v s="$floor" -v m="$m" 'BEGIN{printf "| %d | %s | simdjson floor (parse only) | 1 | %s | 1 | %.0f | %.1f | %s |\n", n, mb, s, n/s, mb/s, m}'
  for trials in bundled real100; do
    args=()
    [ "$trials" = real100 ] && args=(--trials "$work/trials100")
    for t in 1 2; do
      read -r s m <<< "$(measure $TM screen "$work/pop.jsonl" --threads "$t" --out /dev/null --quiet "${args[@]}")"
      label=$([ "$trials" = bundled ] && echo "5 bundled" || echo "100 real")
      awk -v n="$n" -v mb="$mb" -v s="$s" -v f="$floor" -v m="$m" -v l="$label" -v t="$t" 'BEGIN{printf "| %d | %s | %s | %d | %s | %.2f | %.0f | %.1f | %s |\n", n, mb, l, t, s, s/f, n/s, mb/s, m}'
    done
  done
done
