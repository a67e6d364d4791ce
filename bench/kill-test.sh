#!/usr/bin/env bash
# Reliability: SIGKILLs the daemon at random moments while windows switch 50 loopback sites,
# then checks every site, window, announcement and the database (bench/kill_test.py).
#   bench/kill-test.sh [--kills N] [--sites N] [--windows N] [--fail-rate F] [--seed N]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/maint-binary.sh
exec python3 bench/kill_test.py "$maint" "$@"
