#!/usr/bin/env bash
# `make fuzz`: runs each cargo-fuzz target for FUZZ_SECONDS (default 60) on the stable
# toolchain, from the checked-in seeds in fuzz/corpus/<target>. See docs/fuzzing.md.
#
#   FUZZ_SECONDS=600 make fuzz                      # longer
#   FUZZ_TARGETS="form_body" make fuzz              # some targets only
#   FUZZ_SANITIZER=address make fuzz                # AddressSanitizer (slower; default: none)
#
# Targets are built with debug assertions, so integer overflow panics. New inputs the fuzzer
# finds go to fuzz/grown/<target> (not committed); a crash is saved in fuzz/artifacts/<target>/
# and makes this script fail once every target has run.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${FUZZ_SECONDS:-60}"
TARGETS="${FUZZ_TARGETS:-response_body form_body survey_definition}"
SANITIZER="${FUZZ_SANITIZER:-none}"

# cargo-fuzz itself, pinned by its lock file, in the project's tool folder.
if [ ! -x .tools/bin/cargo-fuzz ]; then
  cargo install --root .tools cargo-fuzz --locked
fi
CARGO_FUZZ="$PWD/.tools/bin/cargo-fuzz"

# cargo-fuzz assumes nightly: with a sanitizer it passes `-Zsanitizer=…`, which stable rustc
# refuses. RUSTC_BOOTSTRAP=1 lets this stable toolchain take it (no nightly can be installed
# here). The default run (no sanitizer) uses only stable flags; it is set anyway so that every
# fuzz build sees the same environment. Only this script sets it, never the normal build.
export RUSTC_BOOTSTRAP=1

# Largest input per target: the HTTP body limit (16 KiB) for the two request bodies, 64 KiB
# for survey files (the targets ignore anything longer).
max_len() {
  case "$1" in
    survey_definition) echo 65536 ;;
    *) echo 16384 ;;
  esac
}

failed=()
summary=()
for target in $TARGETS; do
  mkdir -p "fuzz/grown/$target" "fuzz/artifacts/$target"
  log="$(mktemp)"
  echo "== fuzzing $target for ${SECONDS_EACH}s (building it first)"
  # The first folder takes new inputs; the seeds are only read. The dictionary holds the
  # tokens the parsers look for (field names, question and option ids, TOML keys). Progress
  # lines are shown, the whole output is kept in $log.
  set +e
  "$CARGO_FUZZ" run --fuzz-dir fuzz --sanitizer "$SANITIZER" --debug-assertions "$target" \
    "fuzz/grown/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$(max_len "$target")" -dict="fuzz/dicts/$target.dict" -print_final_stats=1 2>&1 \
    | tee "$log" | grep --line-buffered -E '^#[0-9]+[[:space:]]+(INITED|DONE|pulse)|^Done '
  status="${PIPESTATUS[0]}"
  set -e
  runs="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | awk '{ s += $NF } END { print s }' || true)"
  if [ "$status" -ne 0 ] || grep -q 'panicked\|ERROR: libFuzzer\|SUMMARY: libFuzzer' "$log"; then
    grep -E -A12 'panicked|ERROR: libFuzzer|SUMMARY: libFuzzer' "$log" | head -60 || true
    failed+=("$target")
    summary+=("$target: FAILED after ${runs:-?} runs; log kept in $log, input in fuzz/artifacts/$target/")
  else
    summary+=("$target: ${runs:-?} runs in ${SECONDS_EACH}s, no failure")
    rm -f "$log"
  fi
done

echo
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  cat <<EOF

Some targets failed. For each input in fuzz/artifacts/<target>/: reproduce it with
  RUSTC_BOOTSTRAP=1 $CARGO_FUZZ run --fuzz-dir fuzz -s $SANITIZER -a <target> fuzz/artifacts/<target>/<file>
fix the bug, copy the input to fuzz/regressions/<target>/ under a name that says what it broke,
and run \`cargo test -p canvass-tests --test fuzz_corpus\` (docs/fuzzing.md).
EOF
  exit 1
fi
