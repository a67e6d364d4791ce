#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
