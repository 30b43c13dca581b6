#!/usr/bin/env bash
# Screening throughput and peak memory (docs/performance.md), with the simdjson
# floor measured in the same run. Usage (after `make bench`):
#   RUNS=3 bench/screen_bench.sh [SIZES...]  default: 100000 1000000
# Each figure is the fastest of RUNS runs (peak memory: the largest), floor
# included. The runs are interleaved (floor, then every configuration, RUNS
# times over), so each figure sees the same spells of a noisy shared machine.
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

# One timed run of a configuration: appends "seconds peak_kB" to its file.
# Wall time from bash's microsecond clock (GNU time's hundredths are too
# coarse at 10^5 patients); peak memory from GNU time.
run_once() {
  local name=$1; shift
  local t0=$EPOCHREALTIME
  /usr/bin/time -f "%M" -o "$work/time" "$@" > /dev/null
  local t1=$EPOCHREALTIME
  echo "$t0 $t1 $(tail -1 "$work/time")" | awk '{printf "%.6f %s\n", $2 - $1, $3}' >> "$work/$name"
}
best() {  # prints "seconds peak_MB" of a configuration: fastest time, largest peak
  awk 'NR == 1 || $1 < s {s = $1} $2 > m {m = $2} END {printf "%.3f %.0f", s, m/1024}' "$work/$1"
}

echo "| patients | input MB | trials | threads | seconds | × floor | patients/s | MB/s | peak MB |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in "${SIZES[@]}"; do
  $TM generate --count "$n" --seed 1 > "$work/pop.jsonl"
  mb=$(awk -v b="$(stat -c %s "$work/pop.jsonl")" 'BEGIN{printf "%.0f", b/1e6}')
  configs=(bundled.1 bundled.2 real100.1 real100.2)
  rm -f "$work/floor" "${configs[@]/#/$work/}"
  for _ in $(seq "$RUNS"); do
    run_once floor $B/bench/simdjson_floor "$work/pop.jsonl"
    for c in "${configs[@]}"; do
      args=()
      [ "${c%.*}" = real100 ] && args=(--trials "$work/trials100")
      run_once "$c" $TM screen "$work/pop.jsonl" --threads "${c#*.}" --out /dev/null --quiet "${args[@]}"
    done
  done
  read -r floor m <<< "$(best floor)"
  awk -v n="$n" -v mb="$mb" -v s="$floor" -v m="$m" 'BEGIN{printf "| %d | %s | simdjson floor (parse only) | 1 | %s | 1 | %.0f | %.1f | %s |\n", n, mb, s, n/s, mb/s, m}'
  for c in "${configs[@]}"; do
    read -r s m <<< "$(best "$c")"
    label=$([ "${c%.*}" = bundled ] && echo "5 bundled" || echo "100 real")
    awk -v n="$n" -v mb="$mb" -v s="$s" -v f="$floor" -v m="$m" -v l="$label" -v t="${c#*.}" \
      'BEGIN{printf "| %d | %s | %s | %d | %s | %.2f | %.0f | %.1f | %s |\n", n, mb, l, t, s, s/f, n/s, mb/s, m}'
  done
done

# The output's own floor (bench/output_floor.cpp): composing and writing the
# lines screen wrote, every decision made, against the parse floor, at 10^5
# patients only (10^6 patients' output against 100 trials is 21 GB).
for n in "${SIZES[@]}"; do
  [ "$n" -le 100000 ] || continue
  $TM generate --count "$n" --seed 1 > "$work/pop.jsonl"
  echo
  echo "| patients | trials | output MB | threads | output floor seconds | × parse floor |"
  echo "|---|---|---|---|---|---|"
  for set in bundled real100; do
    args=()
    [ "$set" = real100 ] && args=(--trials "$work/trials100")
    $TM screen "$work/pop.jsonl" --quiet --out "$work/out.jsonl" "${args[@]}"
    omb=$(awk -v b="$(stat -c %s "$work/out.jsonl")" 'BEGIN{printf "%.0f", b/1e6}')
    rm -f "$work/pfloor" "$work/ofloor.1" "$work/ofloor.2"
    for _ in $(seq "$RUNS"); do
      run_once pfloor $B/bench/simdjson_floor "$work/pop.jsonl"
      for t in 1 2; do
        $B/bench/output_floor "$work/out.jsonl" "$t" | sed -E 's/.* ([0-9.]+) s,.*/\1 0/' >> "$work/ofloor.$t"
      done
    done
    read -r pf _ <<< "$(best pfloor)"
    for t in 1 2; do
      read -r s _ <<< "$(best "ofloor.$t")"
      label=$([ "$set" = bundled ] && echo "5 bundled" || echo "100 real")
      awk -v n="$n" -v l="$label" -v mb="$omb" -v t="$t" -v s="$s" -v f="$pf" \
        'BEGIN{printf "| %d | %s | %s | %d | %s | %.2f |\n", n, l, mb, t, s, s/f}'
    done
    rm -f "$work/out.jsonl"
  done
done
