#!/usr/bin/env bash
# Fuzzes maint's parsers with the toolchain's libFuzzer (and AddressSanitizer).
#
#   fuzz/run.sh [SECONDS] [TARGET…]    default: 600 seconds each, every target
#
# Targets: schedule, duration, time, rrule, condition, template. Each corpus starts from the
# project's own schedule files and fuzz/seeds/TARGET/, and grows in .build-fuzz/corpus/TARGET.
# A crashing or hanging input is written to fuzz/crashes/; copy it into fuzz/regressions/TARGET/
# once fixed, where `swift test` replays it. The figures of each run are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(schedule duration time rrule condition template)

deploy/install-deps.sh
# lld: the fuzzer and sanitizer runtimes link with it (gold fails on them).
flags=(-c release --product maint-fuzz --scratch-path .build-fuzz
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -DMAINT_FUZZING -Xswiftc -use-ld=lld)
swift build "${flags[@]}"
binary=$(swift build "${flags[@]}" --show-bin-path)/maint-fuzz

mkdir -p fuzz/crashes
summary=()
for target in "${targets[@]}"; do
  corpus=.build-fuzz/corpus/$target
  mkdir -p "$corpus"
  [ "$target" = schedule ] && cp schedules/*.json5 "$corpus"/ 2>/dev/null || true
  [ -d "fuzz/seeds/$target" ] && cp "fuzz/seeds/$target"/* "$corpus"/ 2>/dev/null || true
  [ -d "fuzz/regressions/$target" ] && cp "fuzz/regressions/$target"/* "$corpus"/ 2>/dev/null || true
  log=.build-fuzz/$target.log
  echo "fuzzing $target for ${seconds}s"
  status=0
  MAINT_FUZZ_TARGET=$target "$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -max_len=65536 -artifact_prefix="fuzz/crashes/$target-" -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  result=$([ $status -eq 0 ] && echo "no crash" || echo "FAILED (exit $status, see $log and fuzz/crashes/)")
  summary+=("$(printf '%-10s %6ss %12s inputs  %s' "$target" "$seconds" "$runs" "$result")")
done
printf '%s\n' "${summary[@]}"
