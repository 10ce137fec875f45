#!/usr/bin/env bash
# `make bench`, extraction section: the report job's parallel Scan of DynamoDB Local against a
# boto3 parallel scan of the same table, in the same run (tests/benches/scan_bench.rs starts
# and stops its own DynamoDB Local). SCAN_ITEMS, SCAN_SEGMENTS, SCAN_ROUNDS to change the run.
# Results: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/dynamodb-local.sh install
scripts/install-test-deps.sh >/dev/null
cargo bench -p canvass-tests --bench scan_bench
