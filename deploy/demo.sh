#!/usr/bin/env bash
# The demo: three local sites that behave like ClientXCMS (the shops) or Haiilo (the intranet,
# through Haiilo's own management API), a webhook receiver, and
# `maint daemon` on schedules/demo.json5. A window starts a minute after launch and lasts a
# minute; watch it go by here, and from another terminal with the commands printed below.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
swift build
root=$(pwd)
state="$root/demo-state"
rm -rf "$state"
mkdir -p "$state"

for port in 8081 8082 8083 8090; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port on 127.0.0.1 is in use; the demo needs 8081-8083 and 8090" >&2
    exit 69
  fi
done

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT
python3 deploy/demo/demo_site.py --port 8081 --name shop-eu --token demo-admin-token >"$state/shop-eu.log" 2>&1 & pids+=($!)
python3 deploy/demo/demo_site.py --port 8082 --name shop-us --token demo-admin-token >"$state/shop-us.log" 2>&1 & pids+=($!)
python3 deploy/demo/demo_site.py --port 8083 --name intranet --token demo-admin-token --manager manager:demo-manager-password >"$state/intranet.log" 2>&1 & pids+=($!)
python3 deploy/demo/webhook_receiver.py --port 8090 --secret demo-webhook-secret --log "$state/webhooks.jsonl" >"$state/webhooks.log" 2>&1 & pids+=($!)
sleep 1

export DEMO_ADMIN_TOKEN=demo-admin-token DEMO_WEBHOOK_SECRET=demo-webhook-secret DEMO_HAIILO_PASSWORD=demo-manager-password
export MAINT_CONFIG="$root/schedules" MAINT_DB="$state/maint.db"
cat <<TXT
Demo sites: http://127.0.0.1:8081/ (shop-eu), :8082 (shop-us), :8083 (intranet); webhooks: $state/webhooks.jsonl
In another terminal (the README's tour, as written):
  export MAINT_CONFIG=$root/schedules MAINT_DB=$state/maint.db DEMO_ADMIN_TOKEN=demo-admin-token
  alias maint=$root/.build/debug/maint
  maint status
  maint show demo-upgrade
  curl -i http://127.0.0.1:8081/
The window starts in a minute and ends a minute later. Ctrl-C stops everything.
TXT
.build/debug/maint daemon
