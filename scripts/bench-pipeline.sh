#!/usr/bin/env bash
# `make bench`, pipeline section: the Rust pipeline against DuckDB (PyPI) on the same
# Parquet files (1 M and 5 M synthetic responses), outputs compared before timings count.
# Results: docs/benchmarks.md. ROWS="1000000" to run one size only.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-target}"
WORK="${BENCH_DIR:-/var/tmp/canvass-bench}"
source scripts/bench/venv.sh
cargo build --profile bench -p canvass-pipeline --example bench
.tools/bench/bin/python scripts/bench/bench_pipeline.py "$TARGET/release/examples/bench" "$WORK" ${ROWS:-1000000 5000000}
