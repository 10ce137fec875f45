#!/usr/bin/env bash
# `make test`: install what the tests need, start the services they use on free loopback
# ports, run every test, and stop the services whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh

# Services started below register their stop command here; run on any exit.
STOPS=()
cleanup() {
  for stop in "${STOPS[@]}"; do eval "$stop" || true; done
}
trap cleanup EXIT INT TERM

# (services are started here as the suites that need them arrive)

cargo test --workspace --all-targets --no-fail-fast
