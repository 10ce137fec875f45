#!/usr/bin/env bash
# `make bench`, load and reconciliation section: builds `canvass` with the bench profile, then
# runs tests/benches/load_bench.rs (64 clients x 20 000 submissions against `canvass serve` on
# SQLite and on DynamoDB Local, which the bench starts and stops itself), reconciling the store
# after each round. Prints a Markdown section for docs/benchmarks.md; exits non-zero if a
# reconciliation fails.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
scripts/dynamodb-local.sh install
# The bench profile builds into target/release (as scripts/bench-pipeline.sh relies on too).
cargo build --profile bench -p canvass-cli --bin canvass
export CANVASS_BIN="$TARGET_DIR/release/canvass"
cargo bench -p canvass-tests --bench load_bench
