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
measure() {  # prints "seconds peak_MB": fastest time, largest peak of RUNS runs
  : > "$work/times"
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null
    cat "$work/time" >> "$work/times"
  done
  awk 'NR == 1 || $1 < s {s = $1} $2 > m {m = $2} END {printf "%s %.0f", s, m/1024}' "$work/times"
}

echo "| patients | input MB | trials | threads | seconds | patients/s | MB/s | peak MB |"
echo "|---|---|---|---|---|---|---|---|"
for n in "${SIZES[@]}"; do
  $TM generate --count "$n" --seed 1 > "$work/pop.jsonl"
  mb=$(awk -v b="$(stat -c %s "$work/pop.jsonl")" 'BEGIN{printf "%.0f", b/1e6}')
  read -r s m <<< "$(measure $B/bench/simdjson_floor "$work/pop.jsonl")"
  awk -v n="$n" -v mb="$mb" -v s="$s" -v m="$m" 'BEGIN{printf "| %d | %s | simdjson floor (parse only) | 1 | %s | %.0f | %.1f | %s |\n", n, mb, s, n/s, mb/s, m}'
  for trials in bundled real100; do
    args=()
    [ "$trials" = real100 ] && args=(--trials "$work/trials100")
    for t in 1 2; do
      read -r s m <<< "$(measure $TM screen "$work/pop.jsonl" --threads "$t" --out /dev/null --quiet "${args[@]}")"
      label=$([ "$trials" = bundled ] && echo "5 bundled" || echo "100 real")
      awk -v n="$n" -v mb="$mb" -v s="$s" -v m="$m" -v l="$label" -v t="$t" 'BEGIN{printf "| %d | %s | %s | %d | %s | %.0f | %.1f | %s |\n", n, mb, l, t, s, n/s, mb/s, m}'
    done
  done
done
