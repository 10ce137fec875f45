# Canvass: thin wrappers, one line of intent each. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
DATA ?= data

.PHONY: run test lint fmt check seed bench clean

## Build and start the whole pipeline locally on the embedded store (SQLite in ./data).
run:
	$(CARGO) run --release -p canvass-cli -- serve --data $(DATA)

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

clean:
	$(CARGO) clean
