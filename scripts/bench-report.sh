#!/usr/bin/env bash
# `make bench`, end-to-end section (first): `canvass report --data D` from process start to the
# release on disk, against a DuckDB peer over the same SQLite file (rows read with Python's
# sqlite3) and the same peer over a Parquet export of the rows (compute only), for 1 M, 5 M
# and 10 M seeded responses. Every published number is compared before timings count.
# ROWS="1000000" for one size, RUNS=3 runs per size (median), CANVASS=path to time a binary
# already built (else the `bench` profile is built here). Seeded stores are cached in
# BENCH_DIR (default /var/tmp/canvass-bench). Results: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-target}"
WORK="${BENCH_DIR:-/var/tmp/canvass-bench}"
source scripts/bench/venv.sh
if [ -z "${CANVASS:-}" ]; then
  # The `bench` profile (thin LTO, Cargo.toml) writes to $TARGET/release.
  cargo build --profile bench --workspace --bins
  CANVASS="$TARGET/release/canvass"
fi
.tools/bench/bin/python scripts/bench/bench_report.py "$CANVASS" "$WORK" ${ROWS:-1000000 5000000 10000000}
