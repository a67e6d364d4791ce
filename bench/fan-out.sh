#!/usr/bin/env bash
# Benchmark: one emergency over a fleet. N sites, each on its own port of 127.0.0.1 (a fleet is
# many hosts), answering after DELAY ms (bench/sites.py). Timed, each as a whole process:
#   maint now tag:bench   no daemon: the command switches every site itself, on one libcurl
#                         multi handle, commits each round's outcomes, and exits
#   maint end             the same the other way (no health checks)
#   curl -Z               libcurl's own parallel transfers in one process (--parallel-max 256):
#                         the floor of the work with the same library
#   xargs -P 64 curl      what one would do without maint
# and maint now's CPU time (user + system) per site.
#   bench/fan-out.sh [--delay MS] [N ...]     default: --delay 50, N = 1000
# MAINT_BIN=path times another build of maint (an earlier commit, say) the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
delay=50
if [ "${1:-}" = "--delay" ]; then delay=$2; shift 2; fi
sizes=("${@:-1000}")
source bench/maint-binary.sh
ulimit -n 65536 2>/dev/null || true
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
TIMEFORMAT='%R %U %S'
# Runs a command and prints "wall_ms cpu_ms" of the whole process.
timed() { { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }'; }

echo "fan-out: delay ${delay} ms per answer, $(nproc) cores, $(date -u +%Y-%m-%d)"
printf '| sites | maint now | maint end | curl -Z (256) | xargs -P 64 curl | now / curl -Z | xargs / now | maint now CPU per site |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  dir="$work/$n"
  mkdir -p "$dir/schedules"
  python3 bench/sites.py "$n" "$delay" > "$dir/ports" &
  for _ in $(seq 100); do grep -q '^ready$' "$dir/ports" 2>/dev/null && break; sleep 0.1; done
  grep -v '^ready$' "$dir/ports" > "$dir/port-list"
  {
    echo "{ targets: {"
    awk '{ printf "  \"s%d\": { driver: \"http\", tags: [\"bench\"], activate: { url: \"http://127.0.0.1:%s/admin/api/maintenance\", json: { enabled: true, message: \"{{message}}\", end: \"{{end}}\" } }, deactivate: { url: \"http://127.0.0.1:%s/admin/api/maintenance\", json: { enabled: false } } },\n", NR, $1, $1 }' "$dir/port-list"
    echo "} }"
  } > "$dir/schedules/bench.json5"
  awk '{ printf "url = \"http://127.0.0.1:%s/admin/api/maintenance\"\noutput = \"/dev/null\"\n", $1 }' "$dir/port-list" > "$dir/curl.conf"
  export MAINT_CONFIG="$dir/schedules" MAINT_DB="$dir/maint.db"
  "$maint" validate >/dev/null
  read -r now_ms now_cpu < <(timed "$maint" now tag:bench --for 1h --message "benchmark")
  id=$("$maint" ls --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
  read -r end_ms _ < <(timed "$maint" end "$id")
  read -r curl_ms _ < <(timed curl -s -Z --parallel-max 256 -X POST -H 'Content-Type: application/json' -d '{"enabled": true}' -K "$dir/curl.conf")
  read -r xargs_ms _ < <(timed sh -c "xargs -P 64 -I{} curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{\"enabled\": true}' http://127.0.0.1:{}/admin/api/maintenance < '$dir/port-list'")
  awk -v n="$n" -v now="$now_ms" -v end="$end_ms" -v curl="$curl_ms" -v xargs="$xargs_ms" -v cpu="$now_cpu" \
    'BEGIN { printf "| %d | %d ms | %d ms | %d ms | %d ms | %.2f | %.1f | %.0f µs |\n", n, now, end, curl, xargs, now / curl, xargs / now, cpu * 1000 / n }'
  kill %% 2>/dev/null || true
  wait 2>/dev/null || true
done
