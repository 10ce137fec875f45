# Sourced by the `make bench` scripts: DuckDB from PyPI, pinned, in .tools/bench.
DUCKDB_VERSION=1.4.4
if ! .tools/bench/bin/python -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null; then
  python3 -m venv .tools/bench
  .tools/bench/bin/pip install --quiet --disable-pip-version-check "duckdb==$DUCKDB_VERSION"
fi
