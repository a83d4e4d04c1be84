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
	@echo "make size      the release page's gzipped weight by part, its wasm by crate, and its floor (the core alone)"
	@echo "make predict   SCENARIOS=FILE BROWSER=chrome|firefox|spec: predictions JSON"
	@echo "make explain   SCENARIOS=FILE: each decision step by step"
	@echo "make verify    [SCENARIOS=\"FILE...\"] [BROWSER=chrome|firefox|webkit|all] [RECORD=OUT]: replay in real browsers (default all), compare"
	@echo "make test-fixes  every generated fix (corslab fix) run on its real stack and judged"
	@echo "make bench-server  wrk: policy endpoint vs tower-http vs constant answer vs bare axum"
	@echo "make soak      [SECONDS=60]: the server under mixed load: errors, memory curve"
	@echo "make fuzz      [SECONDS=60] [JOBS=1] [TARGETS=\"origin ...\"] [CAMPAIGN=1]: every fuzz target under AFL++ for SECONDS each"
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

# The page's weight as `make test` measures it (budget: PAGE_BUDGET in
# .ci/env), then the wasm by crate (twiggy, from `.ci/setup size`), then the
# page's floor: the core alone, as the page calls it (.ci/page-floor).
.PHONY: size
size:
	@.ci/setup size
	@.ci/size

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

# Preflights against the policy endpoint, tower-http's CorsLayer, the same
# answer written as constants (the floor) and a bare axum app (wrk,
# alternating rounds): req/s, p99 and the ratios to bare.
.PHONY: bench-server
bench-server:
	@.ci/bench-server

# The companion server under a mixed load for SECONDS (60): /policy/,
# /replay/ and /log/ (wrk), /probe within its guard; errors, the resident
# memory curve (flat within 10% after warm-up) and wrk's figures.
.PHONY: soak
soak:
	@SOAK_SECONDS=$(or $(SECONDS),60) .ci/soak/run

# Scenario files to replay in the browsers (default: every file under
# crates/core/testdata/scenarios/, the copy of ../shared/scenarios/ plus the
# project's own recordings). RECORD=FILE writes the observations as a new
# cors-scenarios/1 recording.
VERIFY_DEFAULT := $(wildcard crates/core/testdata/scenarios/*.json)

# The browsers to verify in: BROWSER=chrome|firefox|webkit|all (a list with
# commas too); default all three. (The `BROWSER ?= chrome` above is predict's
# default: verify only takes BROWSER when it is given.)
VERIFY_BROWSER = $(if $(filter command line environment environment override,$(origin BROWSER)),$(BROWSER),all)

.PHONY: verify
verify: setup
	@cargo build --locked -q -p corslab-cli
	@target/debug/corslab verify $(or $(SCENARIOS),$(VERIFY_DEFAULT)) --browser "$(VERIFY_BROWSER)" $(if $(RECORD),--record $(RECORD))

# Every fix `corslab fix` writes (Express, FastAPI, Flask, Django, nginx,
# axum), started on 127.0.0.1 with the stack installed by `.ci/setup fixes`
# and judged by the engine for every browser profile; `make test` runs it too.
.PHONY: test-fixes
test-fixes:
	@.ci/setup fixes
	@cargo build --locked -q -p corslab-cli
	@target/debug/corslab test-fixes

# Fuzzing (afl.rs, on the stable toolchain; `.ci/setup fuzz` installs
# cargo-afl and AFL++ first): every target of crates/fuzz for SECONDS (60)
# each, JOBS (1) at a time, then per target its executions, execs/s,
# crashes and hangs, and a summary line; CAMPAIGN=1 adds the runs to
# crates/fuzz/CAMPAIGN.md. `make test` runs each target's committed corpus
# instead (crates/fuzz/tests/corpus.rs); `make fuzz-cmin` minimises the
# corpora with the last runs' finds.
.PHONY: fuzz fuzz-cmin
fuzz:
	@.ci/setup fuzz
	@crates/fuzz/fuzz.sh --seconds "$(or $(SECONDS),60)" --jobs "$(or $(JOBS),1)" $(if $(CAMPAIGN),--record) $(TARGETS)

fuzz-cmin:
	@.ci/setup fuzz
	@crates/fuzz/fuzz.sh --cmin $(TARGETS)
