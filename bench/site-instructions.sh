#!/usr/bin/env bash
# Benchmark: the instructions of `maint now`'s engine per site over a fleet of N sites
# (bench/fleet.sh, answers after 50 ms), counted by valgrind's callgrind (Debian's valgrind).
# Unlike a time, a count does not move with the host: it compares builds on any machine. Only
# the engine's work is counted (`Engine.step`, with the requests it launches, and
# `Engine.complete` of a round's completions, through --toggle-collect); libcurl's calls for each
# transfer's handle inside it are given apart. The baseline is `curl -Z --parallel-max 256`
# sending the same requests, its whole process counted the same way.
#   bench/site-instructions.sh [N]      default 1000
# MAINT_BIN=path counts another build the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
source bench/maint-binary.sh
source bench/fleet.sh
command -v valgrind >/dev/null || { apt-get install -y -qq valgrind >/dev/null 2>&1 || true; }
command -v valgrind >/dev/null || { echo "site-instructions: valgrind (Debian's valgrind) is not installed" >&2; exit 1; }
# The engine's two functions, by their symbols in the build.
step=$(nm "$maint" | grep -o '\$s11MaintEngine0B0C4step_3now5ahead[A-Za-z0-9_]*' | head -1 || true)
complete=$(nm "$maint" | grep -o '\$s11MaintEngine0B0C8complete_3nowySay[A-Za-z0-9_]*' | head -1 || true)
if [ -z "$step" ] || [ -z "$complete" ]; then
  echo "site-instructions: Engine.step or Engine.complete is not among $maint's symbols" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fleet_start "$n" 50 "$work"
export MAINT_CONFIG="$work/schedules" MAINT_DB="$work/maint.db"
"$maint" validate >/dev/null
valgrind --tool=callgrind --callgrind-out-file="$work/maint.cg" --collect-atstart=no \
  --toggle-collect="$step" --toggle-collect="$complete" \
  "$maint" now tag:bench --for 1h --message benchmark >/dev/null 2>"$work/maint.err"
valgrind --tool=callgrind --callgrind-out-file="$work/curl.cg" \
  curl -s -Z --parallel-max 256 -X POST -H 'Content-Type: application/json' -d '{"enabled": true}' -K "$work/curl.conf" >/dev/null 2>"$work/curl.err"
callgrind_annotate --inclusive=yes --threshold=100 "$work/maint.cg" > "$work/maint.txt" 2>/dev/null
echo "$n sites, each its own port of 127.0.0.1, answering after 50 ms; valgrind --tool=callgrind, one run of each"
echo
python3 bench/instruction_rows.py "$n" "$work/maint.cg" "$work/maint.txt" "$work/curl.cg"
