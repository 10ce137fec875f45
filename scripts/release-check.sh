#!/usr/bin/env bash
# Part of `make test`: seed 50 000 responses over past waves, run `canvass report`, and
# check the release with Frictionless, cffconvert, an independent recount and `sha256sum -c`;
# then check that a re-run changes nothing and that an empty store publishes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-target}"
CANVASS="$TARGET/debug/canvass"
[ -x "$CANVASS" ] || cargo build -q -p canvass-cli
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

"$CANVASS" seed --data "$WORK/data" --responses 50000 --weeks 60 --until 2025-W50 --seed 7 >/dev/null
"$CANVASS" report --data "$WORK/data" --as-of 2026-01-10
RELEASE="$WORK/data/releases/platform-treatment-2025-Q4"
[ -f "$RELEASE/datapackage.json" ] || { echo "release-check: no release written"; exit 1; }

.tools/frictionless/bin/frictionless validate "$RELEASE/datapackage.json"
.tools/cffconvert/bin/cffconvert --validate -i "$RELEASE/CITATION.cff"
# The citation pins SHA256SUMS, which pins every other file.
grep -q "sha256:$(sha256sum "$RELEASE/SHA256SUMS" | cut -d' ' -f1)" "$RELEASE/CITATION.cff" \
  || { echo "release-check: CITATION.cff does not carry the SHA-256 of SHA256SUMS"; exit 1; }
python3 scripts/check_release.py "$WORK/data/canvass.db" "$RELEASE"
(cd "$RELEASE" && sha256sum --quiet -c SHA256SUMS)

before="$(cd "$RELEASE" && find . -type f -exec sha256sum {} + | sort)"
"$CANVASS" report --data "$WORK/data" --as-of 2026-02-20 | grep -q "nothing to do"
after="$(cd "$RELEASE" && find . -type f -exec sha256sum {} + | sort)"
[ "$before" = "$after" ] || { echo "release-check: a re-run changed the release"; exit 1; }

mkdir -p "$WORK/empty"
"$CANVASS" seed --data "$WORK/empty" --responses 0 >/dev/null
set +e
message="$("$CANVASS" report --data "$WORK/empty" --as-of 2026-01-10 2>&1)"
code=$?
set -e
if [ "$code" -eq 0 ] || ! grep -q "no responses yet" <<<"$message" || [ -e "$WORK/empty/releases" ]; then
  echo "release-check: an empty survey must give a clear message and no release (exit $code): $message"
  exit 1
fi
echo "release-check: ok"
