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

# Amazon's DynamoDB Local, shared by the DynamoDB suites (each test makes its own tables;
# tests that stop DynamoDB start a private one). It also stops if this script is killed.
DYNAMODB_STATE="$(mktemp -d)"
STOPS+=("scripts/dynamodb-local.sh stop '$DYNAMODB_STATE'; rm -rf '$DYNAMODB_STATE'")
CANVASS_TEST_DYNAMODB="$(scripts/dynamodb-local.sh start "$DYNAMODB_STATE" $$)"
export CANVASS_TEST_DYNAMODB

# Tests that drive the real `canvass` binary (dynamodb_serve, load_reconcile,
# dynamodb_kill_under_load) find it in target/debug: `cargo test` builds a package's binaries
# only for that package's own tests, so build it first, with every target so that features unify once and nothing is compiled twice (otherwise a clean clone fails and a
# reused target folder runs a stale binary).
cargo build --workspace --all-targets
cargo test --workspace --all-targets --no-fail-fast

# The SAM template: cfn-lint, sam validate --lint, the SAM transform, checkov (offline).
scripts/infra-check.sh

# A release built from 50 000 seeded responses: Frictionless, independent recount, hashes.
scripts/release-check.sh
