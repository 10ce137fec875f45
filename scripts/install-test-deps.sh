#!/usr/bin/env bash
# Installs what `make test` needs, idempotently, from the ordinary registries only.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools
# (test dependencies are added here as the suites that need them arrive)
