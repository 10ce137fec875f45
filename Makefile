# Canvass: thin wrappers, one line of intent each. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
DATA ?= data

.PHONY: run demo test lint fmt check seed report bench fuzz lambdas clean infra-check deploy

# The workspace's own binaries in the dev profile: exactly what `make test` builds (same
# profile, same features), so after it nothing is compiled again; on a fresh clone it is the
# quickest build that serves the first page (README, "The two commands").
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
CANVASS_DEV := $(TARGET_DIR)/debug/canvass

## Build and start the whole pipeline locally on the embedded store (SQLite in ./data).
run:
	$(CARGO) build --workspace --bins
	$(CANVASS_DEV) serve --data $(DATA)

## A newcomer's tour: synthetic responses in ./demo-data (never ./data), a release, the server.
demo:
	$(CARGO) build --workspace --bins
	$(CANVASS_DEV) seed --data demo-data --responses 20000 --weeks 60
	$(CANVASS_DEV) report --data demo-data
	$(CANVASS_DEV) serve --data demo-data

## Install what the tests need, start the services they use, run every test, stop them.
test:
	scripts/test.sh

## Formatting and clippy, warnings as errors.
lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## Check the survey definitions in ./surveys.
check:
	$(CARGO) run -q -p canvass-cli -- check

## Store synthetic responses in ./data (N=... to choose how many).
seed:
	$(CARGO) run --release -p canvass-cli -- seed --data $(DATA) --responses $${N:-5000}

## Build the release of the last closed wave from ./data into ./data/releases (AS_OF=YYYY-MM-DD to re-issue a past one).
report:
	$(CARGO) run --release -p canvass-cli -- report --data $(DATA) $${AS_OF:+--as-of $$AS_OF}

## Benchmarks, each against its named peer in the same run; results go to docs/benchmarks.md.
bench:
	scripts/bench-report.sh
	scripts/bench-pipeline.sh
	scripts/bench-ingest.sh
	scripts/bench-scan.sh
	scripts/bench-load.sh
	scripts/bench-utility.sh

## Fuzz the request-body and survey-file parsers, FUZZ_SECONDS (default 60) per target, on stable: docs/fuzzing.md.
fuzz:
	scripts/fuzz.sh

## Build the Lambda functions with cargo-lambda for provided.al2023 on arm64 (LAMBDA_ARCH=x86-64 for x86_64).
lambdas:
	scripts/build-lambdas.sh

## The SAM template: cfn-lint, sam validate --lint, the SAM transform, checkov (offline, no AWS account).
infra-check:
	scripts/infra-check.sh

## Build the functions and deploy the stack to AWS (guided the first time): docs/deploy.md.
deploy:
	infra/deploy.sh

clean:
	$(CARGO) clean
