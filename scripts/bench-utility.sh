#!/usr/bin/env bash
# `make bench`, utility section: how much of a release disclosure control keeps. One
# quarter of seeded responses (300, 1 000, 3 000) with the generator's skew and with a
# realistic one (one platform 40 %, a long tail) → `canvass report --stats`: per table,
# numbers published and withheld as small (primary) or to protect others (secondary).
# No clock: the figures are counts, the same on every machine. Results: docs/methodology.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-target}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# The same build as `make test` (features unify once; nothing is compiled twice).
cargo build -q --workspace --all-targets
CANVASS="$TARGET/debug/canvass"

echo "| skew | responses | table | published | primary | secondary | secondary indicator counts, n ≥ 30 |"
echo "|---|---:|---|---:|---:|---:|---:|"
for skew in generator realistic; do
  for n in ${SIZES:-300 1000 3000}; do
    data="$WORK/$skew-$n"
    # 2026-W01..W13: the first quarter of 2026, closed on 2026-04-15.
    "$CANVASS" seed --data "$data" --responses "$n" --weeks 13 --until 2026-W13 --skew "$skew" >/dev/null
    "$CANVASS" report --data "$data" --as-of 2026-04-15 --stats | tail -n 1 \
      | python3 -c '
import json, sys
skew, n = sys.argv[1], sys.argv[2]
rows = json.load(sys.stdin)
for r in rows:
    print(f"| {skew} | {n} | {r[\"table\"]} | {r[\"published\"]} | {r[\"primary\"]} | {r[\"secondary\"]} | {r[\"secondary_indicators_n30\"]} |")
t = {k: sum(r[k] for r in rows) for k in ("published", "primary", "secondary", "secondary_indicators_n30")}
print(f"| {skew} | {n} | **all tables** | {t[\"published\"]} | {t[\"primary\"]} | {t[\"secondary\"]} | {t[\"secondary_indicators_n30\"]} |")
' "$skew" "$n"
  done
done
