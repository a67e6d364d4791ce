# Sourced by the fan-out benchmarks, from the repository's top. fleet_start N DELAY DIR starts
# N sites on ports of 127.0.0.1 (bench/sites.py: nginx, as background jobs of the caller), each
# answering after DELAY ms, and writes in DIR:
#   port-list               the ports, one per line
#   schedules/bench.json5   one http target per site, tagged "bench"
#   curl.conf               the same activate requests for curl -K
# The caller kills its jobs when done. Sourcing raises the shell's limit on open files: each
# site in flight holds a socket in the client and two in the fleet (listening and accepted).
# nginx's logs and configurations are in DIR/nginx-PART (4,000 sites each).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fleet_start() {
  local n=$1 delay=$2 dir=$3
  mkdir -p "$dir/schedules"
  python3 bench/sites.py "$n" "$delay" "$dir" > "$dir/ports" &
  for _ in $(seq 300); do grep -q '^ready$' "$dir/ports" 2>/dev/null && break; sleep 0.1; done
  grep -v '^ready$' "$dir/ports" > "$dir/port-list"
  [ "$(wc -l < "$dir/port-list")" -eq "$n" ] || { echo "fleet: the fleet of $n sites did not start" >&2; return 1; }
  {
    echo "{ targets: {"
    awk '{ printf "  \"s%d\": { driver: \"http\", tags: [\"bench\"], activate: { url: \"http://127.0.0.1:%s/admin/api/maintenance\", json: { enabled: true, message: \"{{message}}\", end: \"{{end}}\" } }, deactivate: { url: \"http://127.0.0.1:%s/admin/api/maintenance\", json: { enabled: false } } },\n", NR, $1, $1 }' "$dir/port-list"
    echo "} }"
  } > "$dir/schedules/bench.json5"
  awk '{ printf "url = \"http://127.0.0.1:%s/admin/api/maintenance\"\noutput = \"/dev/null\"\n", $1 }' "$dir/port-list" > "$dir/curl.conf"
}
