#!/usr/bin/env bash
# Benchmark: put N sites into maintenance at once, and back.
#   maint:     `maint now tag:bench` (no daemon: the command switches them itself, all on one
#              libcurl multi handle), then `maint end`.
#   baselines: what one would do without maint: a shell loop of curl, and xargs -P 16 curl.
# All against one local server that stands for N sites (bench/fleet.py) on 127.0.0.1.
# Usage: bench/switch-fleet.sh [N ...]   (default 50 200)
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
swift build -c release >/dev/null
maint="$(swift build -c release --show-bin-path)/maint"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
python3 bench/fleet.py > "$work/fleet.out" &
for _ in $(seq 50); do grep -q "listening on" "$work/fleet.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '{print $3}' "$work/fleet.out")
now_ms() { date +%s%3N; }

printf '| sites | maint now | maint end | shell loop of curl (on) | xargs -P 16 curl (on) | loop / maint | xargs / maint |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${@:-50 200}"; do
  for n1 in $n; do
    mkdir -p "$work/s$n1"
    {
      echo "{ targets: {"
      for i in $(seq "$n1"); do
        echo "  \"s$i\": { driver: \"http\", tags: [\"bench\"], activate: { url: \"http://127.0.0.1:$port/site/$i/admin/api/maintenance\", json: { enabled: true, message: \"{{message}}\" } }, deactivate: { url: \"http://127.0.0.1:$port/site/$i/admin/api/maintenance\", json: { enabled: false } } },"
      done
      echo "} }"
    } > "$work/s$n1/bench.json5"
    export MAINT_CONFIG="$work/s$n1" MAINT_DB="$work/s$n1/maint.db"
    "$maint" validate >/dev/null
    start=$(now_ms); "$maint" now tag:bench --message "benchmark" > "$work/now.out"; on=$(( $(now_ms) - start ))
    id=$(head -1 "$work/now.out" | awk '{print $3}')
    start=$(now_ms); "$maint" end "$id" > /dev/null; off=$(( $(now_ms) - start ))
    start=$(now_ms)
    for i in $(seq "$n1"); do
      curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"enabled": true}' "http://127.0.0.1:$port/site/$i/admin/api/maintenance"
    done
    loop=$(( $(now_ms) - start ))
    start=$(now_ms)
    seq "$n1" | xargs -P 16 -I{} curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"enabled": true}' "http://127.0.0.1:$port/site/{}/admin/api/maintenance"
    parallel=$(( $(now_ms) - start ))
    awk -v n="$n1" -v on="$on" -v off="$off" -v loop="$loop" -v par="$parallel" \
      'BEGIN { printf "| %d | %d ms | %d ms | %d ms | %d ms | %.2f | %.2f |\n", n, on, off, loop, par, loop/on, par/on }'
  done
done
