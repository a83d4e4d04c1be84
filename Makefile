# CORS Lab. `make run` to use it, `make test` to check it; both install any
# missing tool first (`make setup`, idempotent).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Where the shared recordings and references live; `make testdata` copies
# what the project needs from there into crates/core/testdata/.
SHARED ?= ../shared

.PHONY: help setup run test build testdata

help:
	@echo "make run       server on http://localhost:8080, page on http://localhost:5050"
	@echo "make test      every test (cargo, then the browser suites in headless Chromium)"
	@echo "make build     release page in www/dist/"
	@echo "make predict   SCENARIOS=FILE BROWSER=chrome|firefox|spec: predictions JSON"
	@echo "make explain   SCENARIOS=FILE: each decision step by step"
	@echo "make verify    [SCENARIOS=\"FILE...\"] [RECORD=OUT]: replay in headless Chromium, compare"
	@echo "make bench-server  wrk: policy endpoint vs tower-http vs bare axum"
	@echo "make testdata  refresh crates/core/testdata/ from SHARED=$(SHARED)"

setup:
	@.ci/setup all

run: setup
	@cargo build --locked -q -p corslab-server
	@source .ci/env; \
	target/debug/corslab-server --bind 127.0.0.1 --port 8080 & server=$$!; \
	trap 'kill $$server 2>/dev/null; wait $$server 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	wait_for_port 8080 $$server /dev/null; \
	echo "page: http://localhost:5050   server: http://localhost:8080   (Ctrl-C stops both)"; \
	cd www && trunk -q serve --offline

test: setup testdata
	@.ci/test

build: setup
	@source .ci/env; cd www && trunk build --release --offline

testdata:
	@.ci/testdata "$(SHARED)"

# Scenario files to predict or explain, and the browser profile.
# (predict and explain default to the recorded file; verify to every file).
PREDICT_DEFAULT := crates/core/testdata/scenarios/recorded.json
BROWSER ?= chrome

.PHONY: predict explain
predict:
	@cargo run --locked -q -p corslab-cli -- predict "$(or $(SCENARIOS),$(PREDICT_DEFAULT))" --browser "$(BROWSER)"

explain:
	@cargo run --locked -q -p corslab-cli -- predict "$(or $(SCENARIOS),$(PREDICT_DEFAULT))" --browser "$(BROWSER)" --explain

# Preflights against the policy endpoint, tower-http's CorsLayer and a bare
# axum app (wrk, alternating rounds): req/s, p99 and the ratios to bare.
.PHONY: bench-server
bench-server:
	@.ci/bench-server

# Scenario files to replay in headless Chromium (default: every file under
# crates/core/testdata/scenarios/, the copy of ../shared/scenarios/ plus the
# project's own recordings). RECORD=FILE writes the observations as a new
# cors-scenarios/1 recording.
VERIFY_DEFAULT := $(wildcard crates/core/testdata/scenarios/*.json)

.PHONY: verify
verify: setup
	@cargo build --locked -q -p corslab-cli
	@target/debug/corslab verify $(or $(SCENARIOS),$(VERIFY_DEFAULT)) $(if $(RECORD),--record $(RECORD))
