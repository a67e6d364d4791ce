#!/usr/bin/env bash
# Benchmark: one emergency over a fleet. N sites, each on its own port of 127.0.0.1 (a fleet is
# many hosts), answering after DELAY ms (bench/sites.py: nginx). Timed, each as a whole process:
#   maint now tag:bench   no daemon: the command switches every site itself, on libcurl multi
#                         handles (a crowd shared between two threads), commits each round's
#                         outcomes, and exits
#   maint end             the same the other way (no health checks)
#   curl -Z               libcurl's own parallel transfers in one process (--parallel-max 256):
#                         the floor of the work with the same library
#   xargs -P 64 curl      what one would do without maint
# and maint now's CPU time (user + system) per site.
# Each figure is the median of 3 runs (--runs R).
#   bench/fan-out.sh [--delay MS] [--runs R] [N ...]     default: --delay 50, --runs 3, N = 1000
# MAINT_BIN=path times another build of maint (an earlier commit, say) the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
delay=50
runs=3
if [ "${1:-}" = "--delay" ]; then delay=$2; shift 2; fi
if [ "${1:-}" = "--runs" ]; then runs=$2; shift 2; fi
sizes=("${@:-1000}")
source bench/maint-binary.sh
source bench/fleet.sh
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
TIMEFORMAT='%R %U %S'
# Runs a command and prints "wall_ms cpu_ms" of the whole process; a command that fails stops
# the benchmark (a switch that failed is no figure).
timed() {
  local times
  times=$( { time "$@" >/dev/null 2>&1; } 2>&1 ) || { echo "fan-out: $1 $2 failed" >&2; return 1; }
  echo "$times" | awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }'
}
# The median line of a file of "wall_ms cpu_ms" lines, by wall time.
median() { sort -n "$1" | awk '{ line[NR] = $0 } END { print line[int((NR + 1) / 2)] }'; }

echo "fan-out: delay ${delay} ms per answer, $(nproc) cores, $(date -u +%Y-%m-%d)"
printf '| sites | maint now | maint end | curl -Z (256) | xargs -P 64 curl | now / curl -Z | xargs / now | maint now CPU per site |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  dir="$work/$n"
  fleet_start "$n" "$delay" "$dir"
  export MAINT_CONFIG="$dir/schedules"
  "$maint" validate >/dev/null
  # Each figure is the median of $runs runs, the commands taking turns; each maint pair starts
  # on a new database, as an emergency on a host where nothing was switched yet.
  for run in $(seq "$runs"); do
    export MAINT_DB="$dir/maint-$run.db"
    timed "$maint" now tag:bench --for 1h --message "benchmark" >> "$dir/now"
    id=$("$maint" ls --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
    timed "$maint" end "$id" >> "$dir/end"
    timed curl -s -Z --parallel-max 256 -X POST -H 'Content-Type: application/json' -d '{"enabled": true}' -K "$dir/curl.conf" >> "$dir/curl"
    timed sh -c "xargs -P 64 -I{} curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{\"enabled\": true}' http://127.0.0.1:{}/admin/api/maintenance < '$dir/port-list'" >> "$dir/xargs"
  done
  read -r now_ms now_cpu < <(median "$dir/now")
  read -r end_ms _ < <(median "$dir/end")
  read -r curl_ms _ < <(median "$dir/curl")
  read -r xargs_ms _ < <(median "$dir/xargs")
  awk -v n="$n" -v now="$now_ms" -v end="$end_ms" -v curl="$curl_ms" -v xargs="$xargs_ms" -v cpu="$now_cpu" \
    'BEGIN { printf "| %d | %d ms | %d ms | %d ms | %d ms | %.2f | %.1f | %.0f µs |\n", n, now, end, curl, xargs, now / curl, xargs / now, cpu * 1000 / n }'
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
done
