#!/usr/bin/env bash
# Parsers take time linear in their input: `maint validate` on schedule files of size N, 2N and
# 4N, for the inputs that were once quadratic or worse. The baseline of each row is the same
# command on the size-N file, in the same run; linear time shows as ratios near 2 and 4.
#   bench/parse-scale.sh [N]   (N: repetitions at the smallest size, default 20000)
# MAINT_BIN=path times another build of maint the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/maint-binary.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=${1:-20000}

# One file per kind and size, all under the 1 MiB string limit: a message of N placeholders, a
# string of 10N characters, and N/10 lists nested 64 deep. The first row is the floor: the
# same command on an empty schedule (process start-up).
make_file() {
  local kind=$1 size=$2 dir=$3
  mkdir -p "$dir"
  python3 - "$kind" "$size" > "$dir/s.json5" <<'PY'
import sys
kind, size = sys.argv[1], int(sys.argv[2])
target = '{ a: { driver: "file", file: { path: "/tmp/maint-bench-flag" } } }'
if kind == "placeholders":
    print('{ targets: %s, windows: { w: { targets: ["a"], start: "2030-01-01 00:00", duration: "1h", message: "%s" } } }' % (target, "x{{message}}" * size))
elif kind == "long string":
    print('{ targets: %s, windows: { w: { targets: ["a"], start: "2030-01-01 00:00", duration: "1h", message: "%s" } } }' % (target, "x" * (size * 10)))
elif kind == "deep lists":
    print('{ targets: %s, x: [%s] }' % (target, ",".join(["[" * 62 + "]" * 62] * (size // 10))))
PY
}

best_ms() {  # the fastest of three runs, in ms
  local best=""
  for _ in 1 2 3; do
    local start end
    start=$(date +%s%N)
    "$maint" validate "$1" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    local ms=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}

printf '| input | size N | 2N | 4N | 2N / N | 4N / N |\n|---|---:|---:|---:|---:|---:|\n'
mkdir -p "$work/empty" && echo '{}' > "$work/empty/s.json5"
printf '| (start-up: an empty schedule) | %d ms | | | | |\n' "$(best_ms "$work/empty")"
for kind in "placeholders" "long string" "deep lists"; do
  times=()
  for factor in 1 2 4; do
    dir="$work/${kind// /-}-$factor"
    make_file "$kind" $(( n * factor )) "$dir"
    times+=("$(best_ms "$dir")")
  done
  awk -v k="$kind" -v a="${times[0]}" -v b="${times[1]}" -v c="${times[2]}" \
    'BEGIN { printf "| %s | %d ms | %d ms | %d ms | %.2f | %.2f |\n", k, a, b, c, (a ? b / a : 0), (a ? c / a : 0) }'
done
