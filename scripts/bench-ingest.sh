#!/usr/bin/env bash
# `make bench`, ingest section: builds the ingest Lambda binary for this machine, then runs
# tests/benches/ingest_bench.rs (DynamoDB Local is started and stopped by the bench itself).
# Prints a Markdown section for docs/benchmarks.md; `make lambdas` first adds the arm64 zip size.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
scripts/dynamodb-local.sh install
cargo build --profile release-lambda -p canvass-ingest --features lambda --bin ingest
export CANVASS_INGEST_BIN="$TARGET_DIR/release-lambda/ingest"
cargo bench -p canvass-tests --bench ingest_bench
zip="$TARGET_DIR/lambda/ingest/bootstrap.zip"
if [[ -f "$zip" ]]; then
  echo "arm64 bootstrap.zip from \`make lambdas\`: $(python3 -c 'import os, sys; print(f"{os.path.getsize(sys.argv[1]) / 2**20:.2f} MiB")' "$zip")"
fi
