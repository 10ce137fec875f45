#!/usr/bin/env bash
# `make lambdas`: every Lambda function, built with cargo-lambda (PyPI `cargo-lambda`, which
# brings zig as the cross linker) for the provided.al2023 runtime on arm64, as
# $CARGO_TARGET_DIR/lambda/<function>/bootstrap.zip, with the release-lambda profile (release
# with LTO, one codegen unit, stripped, panic=abort).
#
#   make lambdas                      # arm64 (Graviton), what the SAM template deploys
#   LAMBDA_ARCH=x86-64 make lambdas   # x86_64
set -euo pipefail
cd "$(dirname "$0")/.."

# package:binary pairs; each package builds its Lambda binary with its `lambda` feature.
FUNCTIONS=("canvass-ingest:ingest")
# The ingest function's zip must stay under this (cold start grows with the package).
INGEST_LIMIT_BYTES=$((8 * 1024 * 1024))

CARGO_LAMBDA_VERSION=1.9.2
if ! .tools/lambda-venv/bin/cargo-lambda lambda --version 2>/dev/null | grep -q "$CARGO_LAMBDA_VERSION"; then
  python3 -m venv .tools/lambda-venv
  .tools/lambda-venv/bin/pip install --quiet --disable-pip-version-check "cargo-lambda==$CARGO_LAMBDA_VERSION"
fi
export PATH="$PWD/.tools/lambda-venv/bin:$PATH"

ARCH="${LAMBDA_ARCH:-arm64}"
case "$ARCH" in
  arm64) TRIPLE=aarch64-unknown-linux-gnu ;;
  x86-64) TRIPLE=x86_64-unknown-linux-gnu ;;
  *) echo "LAMBDA_ARCH must be arm64 or x86-64, not $ARCH" >&2; exit 2 ;;
esac
# The standard library for the target comes from rustup (rust-std is not on crates.io).
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$TRIPLE"; then
  rustup target add "$TRIPLE" || {
    echo "cannot install the Rust standard library for $TRIPLE (rustup target add $TRIPLE failed)" >&2
    exit 1
  }
fi

TARGET_DIR="${CARGO_TARGET_DIR:-target}"
for function in "${FUNCTIONS[@]}"; do
  package="${function%%:*}"
  binary="${function##*:}"
  cargo lambda build --profile release-lambda "--$ARCH" --output-format zip \
    -p "$package" --features lambda --bin "$binary" --lambda-dir "$TARGET_DIR/lambda"
  zip="$TARGET_DIR/lambda/$binary/bootstrap.zip"
  bytes=$(stat -c %s "$zip")
  python3 - "$zip" "$binary" "$TRIPLE" <<'PY'
import os, sys, zipfile
path, binary, triple = sys.argv[1:]
unzipped = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
print(f"{binary} ({triple}): bootstrap {unzipped / 2**20:.2f} MiB, zip {os.path.getsize(path) / 2**20:.2f} MiB -> {path}")
PY
  if [[ "$binary" == ingest && "$bytes" -gt "$INGEST_LIMIT_BYTES" ]]; then
    echo "the ingest zip is over its 8 MB budget" >&2
    exit 1
  fi
done
