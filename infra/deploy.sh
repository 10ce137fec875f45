#!/usr/bin/env bash
# `make deploy`: check the template, build the three functions for arm64 (cargo-lambda,
# through `sam build`) and deploy the stack. The first run asks for the deployment's settings
# (`sam deploy --guided`) and saves them to infra/samconfig.local.toml; later runs reuse
# them; GUIDED=1 asks again. Needs AWS credentials for the target account (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")"

SAM_VERSION=1.170.0
CARGO_LAMBDA_VERSION=1.9.2
ZIGLANG_VERSION=0.17.1
tools="$(cd .. && pwd)/.tools/sam"

../scripts/infra-check.sh

# install PACKAGE VERSION into the SAM venv unless it is there (PyPI, pinned).
install() {
  if ! "$tools/bin/pip" show "$1" 2>/dev/null | grep -qx "Version: $2"; then
    [[ -x "$tools/bin/pip" ]] || python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet --disable-pip-version-check "$1==$2"
  fi
}
install aws-sam-cli "$SAM_VERSION"
install cargo-lambda "$CARGO_LAMBDA_VERSION"
# Zig is cargo-lambda's cross-linker for Amazon Linux; it finds it through this venv's python.
install ziglang "$ZIGLANG_VERSION"
export PATH="$tools/bin:$PATH" SAM_CLI_TELEMETRY=0

# Each function crate builds its Lambda binary behind its `lambda` feature. SAM cannot pass
# cargo flags; cargo-lambda reads them from this variable (a name with a dot, hence `env`).
env 'CARGO_LAMBDA_BUILD.FEATURES=[lambda]' sam build

if [[ -n "${GUIDED:-}" || ! -f samconfig.local.toml ]]; then
  sam deploy --guided --config-file samconfig.local.toml
else
  sam deploy --config-file samconfig.local.toml --no-fail-on-empty-changeset
fi
