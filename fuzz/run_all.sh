#!/usr/bin/env bash
# Runs every fuzz target in turn: until 10 million executions or 10 minutes, whichever comes
# first (override with RUNS and SECONDS_PER_TARGET), seeded by fuzz/seed.py. Needs the nightly
# toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Crashes land in fuzz/artifacts/<target>/;
# one summary line per target goes to fuzz/results.txt (and the full log to fuzz/logs/).
#   bash fuzz/run_all.sh [target…]
set -uo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-10000000}
SECONDS_PER_TARGET=${SECONDS_PER_TARGET:-600}
python3 seed.py >/dev/null
mkdir -p logs
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(ls fuzz_targets | sed 's/\.rs$//')
fi
for target in "${targets[@]}"; do
  log="logs/$target.log"
  start=$(date +%s)
  cargo +nightly fuzz run "$target" --sanitizer none --debug-assertions -- \
    -runs="$RUNS" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1
  status=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(ls "artifacts/$target" 2>/dev/null | wc -l)
  echo "$target: exit $status, ${execs:-?} executions, ${elapsed} s, $crashes artifacts" | tee -a results.txt
done
