#!/usr/bin/env bash
# Runs every benchmark on one build, the one shipped (deploy/build-release.sh), and writes
# BENCHMARKS.md: the machine, the date and the commit, then each benchmark's table (each row
# with its baseline from the same run), then the profile notes kept by hand in bench/PROFILES.md.
# Everything runs on 127.0.0.1.
#   bench/run-all.sh [--quick]   (--quick: smaller sizes, for trying the script itself)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
if [ "${1:-}" = "--quick" ]; then quick=true; fi
source bench/maint-binary.sh
export MAINT_BIN=$maint
if $quick; then
  fan_out=(200 400); site_cpu=(--runs 1 200); site_instructions=200; lag=(--windows 200 --api-load 4); scale=(--sizes 100x1000,1000x10000 --idle 5); parse=2000
else
  fan_out=(1000 4000 10000); site_cpu=(1000); site_instructions=1000; lag=(--windows 1000 --api-load 4); scale=(--sizes 1000x10000,10000x100000 --idle 30); parse=20000
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT

section() {  # section TITLE DESCRIPTION COMMAND...
  local title=$1 description=$2
  shift 2
  echo "running: $*" >&2
  {
    echo "## $title"
    echo
    echo "$description"
    echo
    echo "Command: \`${*//$MAINT_BIN/\$MAINT_BIN}\`"
    echo
    "$@" 2>/dev/null | grep -v '^fan-out:'
    echo
  } >> "$out"
}

{
  echo "# Benchmarks"
  echo
  echo "Written by \`bench/run-all.sh\`: every figure comes from that one run, on the release build as shipped (\`deploy/build-release.sh\`), with"
  echo "its baseline measured in the same run. Machine: $(nproc) cores, $(awk -F= '/^PRETTY_NAME/ { gsub(/"/, "", $2); print $2 }' /etc/os-release),"
  echo "$(swift --version 2>/dev/null | head -1 | sed 's/ (.*//'). Date: $(date -u +%Y-%m-%d). Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo
} > "$out"

section "One emergency over a fleet (fan-out)" \
"N sites on N ports of 127.0.0.1 (\`bench/sites.py\`: nginx, one worker per 4,000 sites, answering each request after 50 ms with the echo module's \`echo_sleep\`). The fleet shares the machine's cores with the client. Whole processes are timed, each figure the median of three runs, each pair of maint commands on a new database: \`maint now\` with no daemon (the sites on libcurl multi handles, a crowd shared between two threads, each round committed) and \`maint end\`; the baselines are \`curl -Z --parallel-max 256\` (the same library's own parallel transfers, one process) and \`xargs -P 64 curl\`. The last column is \`maint now\`'s CPU time (user + system) per site: constant when the work grows linearly with the fleet." \
  bash bench/fan-out.sh "${fan_out[@]}"

section "Where a switch's CPU time goes" \
"\`maint now\` over the fleet above (1,000 sites, answers after 50 ms), profiled with \`perf record -F 4000 --call-graph dwarf\` (Debian's \`linux-perf\`): each sample is given to the first phase its stack names (\`bench/cpu_phases.py\`), so nothing is counted twice. The engine's work per site is the first three rows: building each switch request, recording each outcome, stepping the window. libcurl's handle for each transfer (\`curl_easy_init\`, its URL and options, \`curl_easy_cleanup\`, with the page faults of its memory) has the fourth row: curl -Z makes and frees one for each of its transfers too. The baseline is \`curl -Z --parallel-max 256\` sending the same requests, profiled the same way in the same run. Profiling slows a process; the figures are for comparing rows, the fan-out table for time." \
  bash bench/site-cpu.sh "${site_cpu[@]}"

section "The same work, counted in instructions" \
"\`maint now\` over the same fleet under valgrind's callgrind (Debian's \`valgrind\`), counting only the engine's work (\`Engine.step\`, with the requests it launches, and \`Engine.complete\` of a round's completions); libcurl's calls for each transfer's handle within it are given apart. A count does not move with the host as a time does: it compares builds from machine to machine. The baseline is \`curl -Z --parallel-max 256\` sending the same requests, its whole process counted the same way." \
  bash bench/site-instructions.sh "$site_instructions"

section "Switch lag" \
"One-target windows starting 50 ms apart, each 30 s long (so that hundreds are open at once), under \`maint daemon\`. Lag is when the activate request reaches the site (a loopback asyncio server notes it) minus the window's start instant. The baseline is a Python loop that sleeps until each instant and sends the same request on a kept-alive connection: the floor of a timer and an HTTP request on this machine. The run is made twice: alone, and while four clients send control API requests back to back over the daemon's Unix socket (half \`GET /v1/status\`, half \`POST /v1/windows\`); the API must not move the lag, and the second table gives its requests per second. The baseline loop runs under that load too, at the same time: the clients share the machine's two cores, and the Python process that notes the arrivals, with everything else, and its row shows what that costs any client." \
  python3 bench/lag.py "$MAINT_BIN" "${lag[@]}"

section "A large schedule" \
"T targets and W one-off windows from tomorrow on, five minutes apart (\`bench/scale_schedule.py\`). Timed: \`maint validate\`; the daemon from exec to \`READY=1\` on an empty database (first load: every window planned and stored) and again on the stored one with the files unchanged (restart: ready from the daemon's stored copy of its targets and channels; files read: its second \`READY=1\`, once it has read the files again meanwhile); its resident memory and context switches while idle; \`maint ls\`, \`status\` and \`show\` with the daemon running (best of 3). The first column, an empty schedule, is the floor: process start-up." \
  python3 bench/scale.py "$MAINT_BIN" "${scale[@]}"

section "Reading hostile schedule files" \
"\`maint validate\` (fastest of three) on files of size N, 2N and 4N for inputs that were once quadratic or worse; the smallest size is each row's baseline, an empty schedule the floor. Linear time shows as ratios near 2 and 4." \
  bash bench/parse-scale.sh "$parse"

cat bench/PROFILES.md >> "$out"
mv "$out" BENCHMARKS.md
trap - EXIT
echo "wrote BENCHMARKS.md" >&2
