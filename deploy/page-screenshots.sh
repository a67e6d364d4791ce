#!/usr/bin/env bash
# Renders the maintenance page of a sample window with `maint page`, and the daemon's page of
# current and upcoming maintenance (`GET /` on its socket), and photographs them with headless
# Chromium (Debian's `chromium`) at phone and desktop widths, into docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/schedules"
cat > "$work/schedules/sample.json5" <<'JSON'
{
  targets: { shop: { driver: "file", file: { path: "/tmp/maint-sample.flag" } } },
  windows: {
    "db-upgrade": {
      targets: ["shop"], start: "2030-12-06 02:00", timezone: "Europe/Paris", duration: "2h",
      headline: "We are upgrading our database",
      message: "The shop is closed while we move to faster storage.\nYour basket is kept; please come back after the time below.",
      page: { bypassUrl: "https://status.example.com", buttonText: "View status", icon: "fas fa-tools" },
    },
  },
}
JSON
export MAINT_CONFIG="$work/schedules" MAINT_DB="$work/maint.db"
timeout 2 .build/debug/maint daemon 2>/dev/null || true
.build/debug/maint page db-upgrade > "$work/page.html"
for size in phone:390,844 desktop:1280,800; do
  name=${size%%:*}
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size="${size#*:}" \
    --screenshot="docs/page-$name.png" "file://$work/page.html" 2>/dev/null
done

# The daemon's own page: one window running, two planned.
cat > "$work/schedules/sample.json5" <<'JSON'
{
  targets: {
    "shop-eu": { driver: "file", file: { path: "/tmp/maint-sample-eu.flag" }, timezone: "Europe/Paris" },
    "shop-us": { driver: "file", file: { path: "/tmp/maint-sample-us.flag" }, timezone: "America/New_York" },
  },
  windows: {
    "db-upgrade": { targets: ["shop-eu"], start: "2030-12-06 02:00", timezone: "Europe/Paris", duration: "2h",
                    headline: "Database upgrade", message: "The shop is closed while we move to faster storage." },
    "tls-renewal": { targets: ["shop-us"], start: "2030-12-13 01:00", timezone: "America/New_York", duration: "30m",
                     headline: "Certificate renewal <quickly>", message: "A short pause while we renew certificates." },
  },
}
JSON
rm -f "$work/maint.db"*
.build/debug/maint daemon 2>/dev/null &
daemon=$!
trap 'kill $daemon 2>/dev/null; rm -rf "$work"' EXIT
sleep 2
.build/debug/maint now shop-eu shop-us --for 45m --headline "Payment provider outage" \
  --message "Checkout is paused while our payment provider recovers. Baskets are kept." >/dev/null
curl -s --unix-socket "$work/maint.db.sock" http://maint/ > "$work/status.html"
for size in phone:390,844 desktop:1280,800; do
  name=${size%%:*}
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size="${size#*:}" \
    --screenshot="docs/status-page-$name.png" "file://$work/status.html" 2>/dev/null
done
kill $daemon
ls -l docs/page-*.png docs/status-page-*.png
