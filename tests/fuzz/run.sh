#!/usr/bin/env bash
# Runs every fuzz target for a bounded time, seeded from the project's own
# files and ../shared/datasets. Fails on the first crash, hang, leak or
# sanitizer report (libFuzzer exits non-zero and leaves crash-* files).
#   tests/fuzz/run.sh BUILD_DIR SECONDS_PER_TARGET
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-fuzz}
seconds=${2:-60}
data=../shared/datasets
work="$build/fuzz-corpus"
rm -rf "$work"
mkdir -p "$work"/{criteria,rule,profile,trial,fhir}-seeds "$work"/{criteria,rule,profile,trial,fhir}

# Seeds: real criteria texts, the bundled rules, profiles, trials and bundles.
i=0
for f in $(ls "$data"/chia/chia_with_scope/*_inc.txt 2>/dev/null | head -40) $(ls "$data"/lct_leaf_clinical_trials/raw_criteria/*.txt 2>/dev/null | head -40); do
  head -c 8000 "$f" > "$work/criteria-seeds/$((i++)).txt"
done
python3 - "$work" <<'PY'
import json, sys, glob
work = sys.argv[1]
for n, t in enumerate(glob.glob("rules/trials/*.json")):
    d = json.load(open(t))
    open(f"{work}/criteria-seeds/bundled{n}.txt", "w").write("\n".join(d["criteria"]))
for n, line in enumerate(open("tests/golden/bundled_rules.txt")):
    open(f"{work}/rule-seeds/{n}.txt", "w").write(line.split("] ", 1)[1].strip())
# Terms the bundled rules do not use: n of m and cohorts.
for n, rule in enumerate(['at_least(2, hypertension, hba1c >= 7 %, not smoking)',
                          'not cohort("Part C") or (at_least(3, a, b, c, d) and cohort("Trained \\"Users\\""))']):
    open(f"{work}/rule-seeds/extra{n}.txt", "w").write(rule)
open(f"{work}/criteria-seeds/constructs.txt", "w").write(
    "Inclusion Criteria:\n1. At least two of the following:\n   a. HbA1c above 8%\n   b. BMI above 30\n"
    "Part B only:\n2. Type 2 diabetes (Part C)\n3. Trained Users only: HbA1c below 9%\n")
PY
cp patients/examples/*.json tests/bad_input/*.json "$work/profile-seeds/"
cp rules/trials/*.json "$work/trial-seeds/"
[ -f "$data/ctgov_api_v2_samples/ctg-studies_2_dgg32.json" ] && cp "$data/ctgov_api_v2_samples/ctg-studies_2_dgg32.json" "$work/trial-seeds/"
cp patients/examples/*.fhir.json tests/bad_input/fhir-*.json "$work/fhir-seeds/"

status=0
for target in criteria rule profile trial fhir; do
  echo "== fuzz_$target for ${seconds}s"
  if ! "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/$target-" "$work/$target" "$work/$target-seeds" \
        > "$work/$target.log" 2>&1; then
    echo "fuzz_$target FAILED:"; tail -40 "$work/$target.log"; status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$work/$target.log" | tail -2
  fi
done
exit $status
