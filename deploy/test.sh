#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
# The calendar tests read maint's feed with icalendar and expand it with recurring-ical-events,
# the API test checks docs/openapi.json with openapi-spec-validator, all from PyPI (python3 on PATH).
if ! python3 -c "import icalendar, dateutil, jsonschema, openapi_spec_validator, recurring_ical_events" 2>/dev/null; then
  if python3 -m pip --version >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore icalendar python-dateutil jsonschema openapi-spec-validator recurring-ical-events
  else
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get install -y -qq python3-icalendar python3-dateutil python3-jsonschema python3-pip >/dev/null
    python3 -m pip install --quiet --break-system-packages openapi-spec-validator recurring-ical-events
  fi
fi
swift build --build-tests
# Every file the tests make (databases, sockets, schedules, fleets) goes under one directory of
# this run's own, removed afterwards, whatever a test left behind. Open to all as /tmp is: nginx's
# workers and a daemon run as nobody read and write there.
scratch=$(mktemp -d)
chmod 1777 "$scratch"
trap 'rm -rf "$scratch"' EXIT
TMPDIR="$scratch" swift test --skip-build "$@"
