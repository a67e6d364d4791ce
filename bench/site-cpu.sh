#!/usr/bin/env bash
# Benchmark: where `maint now`'s CPU time goes over a fleet of N sites (bench/fleet.sh, answers
# after 50 ms), from a profile: `perf record --call-graph dwarf` (Debian's linux-perf; the
# libraries have no frame pointers), each sample given to the first phase its stack names
# (bench/cpu_phases.py). The engine's work per site is the first three rows: building each
# switch request, recording each outcome, and stepping the window; libcurl's handle for each
# transfer (made, given its URL and options, freed) is the fourth. The baseline, from the same
# run and the same profiler, is `curl -Z --parallel-max 256` sending the same requests.
# Each process is profiled R times (--runs R, default 3; maint on a new database each time) and
# the samples summed: the figures are per run.
#   bench/site-cpu.sh [--runs R] [N]      default 1000
# MAINT_BIN=path profiles another build the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3
if [ "${1:-}" = "--runs" ]; then runs=$2; shift 2; fi
n=${1:-1000}
source bench/maint-binary.sh
source bench/fleet.sh
command -v perf >/dev/null || { apt-get install -y -qq linux-perf >/dev/null 2>&1 || true; }
command -v perf >/dev/null || { echo "site-cpu: perf (Debian's linux-perf) is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fleet_start "$n" 50 "$work"
export MAINT_CONFIG="$work/schedules"
"$maint" validate >/dev/null
for run in $(seq "$runs"); do
  MAINT_DB="$work/maint-$run.db" perf record -q -F 4000 --call-graph dwarf,32768 -o "$work/maint.data" \
    "$maint" now tag:bench --for 1h --message "benchmark" >/dev/null 2>&1
  perf record -q -F 4000 --call-graph dwarf,32768 -o "$work/curl.data" \
    curl -s -Z --parallel-max 256 -X POST -H 'Content-Type: application/json' -d '{"enabled": true}' -K "$work/curl.conf" >/dev/null 2>&1
  perf script -i "$work/maint.data" 2>/dev/null | swift demangle --simplified >> "$work/maint.txt"
  perf script -i "$work/curl.data" 2>/dev/null >> "$work/curl.txt"
done
echo "$n sites, each its own port of 127.0.0.1, answering after 50 ms; perf record -F 4000 --call-graph dwarf; the sum of $runs runs, per run"
echo
python3 bench/cpu_phases.py --runs "$runs" "$n" "curl -Z --parallel-max 256" "$work/curl.txt" < "$work/maint.txt"
