#!/usr/bin/env bash
# A deploy job for a CI pipeline, through maint's control API: maintenance on for the targets,
# the deploy, then maintenance off as soon as every target's health checks pass.
#
#   deploy/ci-deploy-job.sh "tag:shop" "Deploying release 4.2" -- ./deploy.sh 4.2
#
# On the daemon's host it uses the Unix socket ($MAINT_SOCKET, default /run/maint/maint.sock);
# from elsewhere set MAINT_URL (https://maint.example.com) and MAINT_TOKEN (a write token).
# The window lasts at most $MAINT_DURATION (30m): if the job dies, the sites come back anyway.
# If the deploy fails, maintenance ends at once and the job fails. Needs curl and jq.
set -euo pipefail
if [ $# -lt 4 ] || [ "$3" != "--" ]; then
  echo "usage: $0 TARGETS MESSAGE -- DEPLOY-COMMAND…" >&2
  exit 2
fi
targets=$1 message=$2
shift 3
api() {
  local method=$1 path=$2
  shift 2
  if [ -n "${MAINT_URL:-}" ]; then
    curl --fail-with-body -sS -X "$method" -H "Authorization: Bearer ${MAINT_TOKEN:?MAINT_TOKEN is needed with MAINT_URL}" \
      -H 'Content-Type: application/json' "$@" "$MAINT_URL$path"
  else
    curl --fail-with-body -sS -X "$method" --unix-socket "${MAINT_SOCKET:-/run/maint/maint.sock}" \
      -H 'Content-Type: application/json' "$@" "http://maint$path"
  fi
}
state() { api GET "/v1/windows/$window" | jq -r .state; }

# 1. Maintenance on, now. The key makes a retried job find its window instead of opening another.
body=$(jq -n --arg targets "$targets" --arg message "$message" --arg duration "${MAINT_DURATION:-30m}" \
  '{targets: ($targets | split(",")), message: $message, duration: $duration}')
window=$(api POST /v1/windows/now -H "Idempotency-Key: deploy-${CI_JOB_ID:-$$}" -d "$body" | jq -r .id)
echo "maintenance window $window"

# 2. Wait until every target is in maintenance (or the switch failed).
until [[ "$(state)" =~ ^(active|failed|degraded|completed|canceled)$ ]]; do sleep 1; done
if [ "$(state)" != active ]; then
  echo "the targets could not be switched into maintenance: $(state)" >&2
  exit 1
fi

# 3. The deploy. If it fails, maintenance ends now and the job fails.
if ! "$@"; then
  echo "the deploy failed; ending maintenance" >&2
  api POST "/v1/windows/$window/end" >/dev/null
  exit 1
fi

# 4. Done: maintenance ends as soon as the health checks pass.
api POST "/v1/windows/$window/done" >/dev/null
until [[ "$(state)" =~ ^(completed|failed|degraded)$ ]]; do sleep 2; done
echo "window $window: $(state)"
[ "$(state)" = completed ]
