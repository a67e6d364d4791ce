# Sourced by the fan-out benchmarks, from the repository's top. fleet_start N DELAY DIR starts
# N sites on ports of 127.0.0.1 (bench/sites.py: nginx, as background jobs of the caller), each
# answering after DELAY ms, and writes in DIR:
#   port-list               the ports, one per line
#   schedules/bench.json5   one http target per site, tagged "bench"
#   curl.conf               the same activate requests for curl -K
# The caller kills its jobs when done. Sourcing raises the shell's limit on open files: each
# site in flight holds a socket in the client and two in the fleet (listening and accepted).
# nginx's log and configuration are in DIR/nginx-PART.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fleet_start() {
  local n=$1 delay=$2 dir=$3 parts part share
  mkdir -p "$dir/schedules"
  # An nginx serves at most 4,000 sites: each costs it two descriptors.
  parts=$(( (n + 3999) / 4000 ))
  for part in $(seq "$parts"); do
    share=$(( n / parts + (part <= n % parts ? 1 : 0) ))
    python3 bench/sites.py "$share" "$delay" "$dir/nginx-$part" > "$dir/ports-$part" &
  done
  for part in $(seq "$parts"); do
    for _ in $(seq 300); do grep -q '^ready$' "$dir/ports-$part" 2>/dev/null && break; sleep 0.1; done
  done
  cat "$dir"/ports-* | grep -v '^ready$' > "$dir/port-list"
  [ "$(wc -l < "$dir/port-list")" -eq "$n" ] || { echo "fleet: the fleet of $n sites did not start" >&2; return 1; }
  {
    echo "{ targets: {"
    awk '{ printf "  \"s%d\": { driver: \"http\", tags: [\"bench\"], activate: { url: \"http://127.0.0.1:%s/admin/api/maintenance\", json: { enabled: true, message: \"{{message}}\", end: \"{{end}}\" } }, deactivate: { url: \"http://127.0.0.1:%s/admin/api/maintenance\", json: { enabled: false } } },\n", NR, $1, $1 }' "$dir/port-list"
    echo "} }"
  } > "$dir/schedules/bench.json5"
  awk '{ printf "url = \"http://127.0.0.1:%s/admin/api/maintenance\"\noutput = \"/dev/null\"\n", $1 }' "$dir/port-list" > "$dir/curl.conf"
}
