# Studio: `make run` starts the whole product on the embedded engines;
# `make test` runs every test. Both install what they need first.

GO            ?= go
TEMPORAL_CLI  := github.com/temporalio/cli/cmd/temporal
TEMPORAL_VER  := v1.5.1
BIN           := $(CURDIR)/bin
VERSION       ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS       := -X studio/internal/app/version.Version=$(VERSION)
DATA_DIR      ?= $(CURDIR)/data
GO_PKGS       := ./...

export STUDIO_TEMPORAL_CLI := $(BIN)/temporal

ESCLUSTER_SRC := $(shell find internal/testsupport/testenv/escluster/java -name '*.java' -o -name pom.xml 2>/dev/null)

.PHONY: all build temporal ui browser escluster jdk pyref run test test-faults lint vet fmt-check bench bench-scale fuzz clean help

all: build

help:
	@echo "make run    - install what is needed, build, start studio dev (http://127.0.0.1:8080)"
	@echo "make test   - lint and run every test"
	@echo "make test-faults - kill -9 every pipeline at random points, faults of the production topology, bad inputs; writes docs/reliability.md"
	@echo "make bench  - every benchmark, each beside its raw engine"
	@echo "make bench-scale [N=10000000] - the whole pipeline through studio dev on an N-row file (default 1000000): time, docs/s, peak memory, disk per step"
	@echo "make fuzz   - every fuzz target for FUZZTIME (default 3m)"
	@echo "make build  - bin/studio and the pinned temporal CLI in bin/"

# The pinned Temporal CLI brings `temporal server start-dev` (the embedded
# Temporal). Built from the Go module proxy once; a stamp file remembers it.
temporal: $(BIN)/.temporal-$(TEMPORAL_VER)
$(BIN)/.temporal-$(TEMPORAL_VER):
	@mkdir -p $(BIN)
	@echo "Installing the temporal CLI $(TEMPORAL_VER) into bin/ (several minutes the first time)…"
	GOBIN=$(BIN) $(GO) install $(TEMPORAL_CLI)@$(TEMPORAL_VER)
	@touch $@

# The web app: npm ci when ui/node_modules is missing or older than
# package-lock.json (a stamp file remembers), then vite build into ui/dist,
# which the binary embeds. Vite empties ui/dist: its .gitkeep, which lets
# go:embed work before the app is built, is put back.
ui: ui/node_modules/.studio-npm-ci
	cd ui && npm run build
	@touch ui/dist/.gitkeep

ui/node_modules/.studio-npm-ci: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	@touch $@

build: temporal ui
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/studio ./cmd/studio

run: build
	$(BIN)/studio dev --data-dir $(DATA_DIR)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(GO_PKGS)

lint: fmt-check vet

# Every test. STUDIO_REQUIRE_TEMPORAL makes a missing temporal CLI a failure
# instead of a skip; STUDIO_REQUIRE_BROWSER does the same for a missing
# chromium or an unbuilt web app, STUDIO_REQUIRE_ES for the Elasticsearch
# test cluster, STUDIO_REQUIRE_PYREF for the biothings reference interpreter.
test: temporal browser ui escluster pyref lint
	cd ui && npm test
	STUDIO_REQUIRE_TEMPORAL=1 STUDIO_REQUIRE_BROWSER=1 STUDIO_REQUIRE_ES=1 STUDIO_REQUIRE_PYREF=1 $(GO) test -count=1 -timeout 45m $(GO_PKGS)

# The reference interpreter (bin/pyref): a virtualenv with packages from
# PyPI, made once (a stamp file remembers the pins). It holds the real
# biothings package of the differential test
# (internal/domain/pyparser/differential_test.go), the BioThings Python client the
# client test runs against the data API, pandas and numpy, which the
# BioThings tutorial's PharmGKB plugin requires, and the packages of the
# biothings[hub] extra that the hub's upload path imports (pymongo, psutil,
# jsonschema, dill, aiocron), which internal/bench/hubuploadbench runs.
PYREF_BIOTHINGS := 1.2.2
PYREF_HUB       := pymongo==4.20.1 psutil==7.2.2 jsonschema==4.26.0 dill==0.4.1 aiocron==1.8
PYREF_PACKAGES  := biothings==$(PYREF_BIOTHINGS) biothings_client==0.5.1 pandas==3.1.1 numpy==2.4.6 $(PYREF_HUB)
PYREF_STAMP     := $(BIN)/pyref/.pins-$(shell echo '$(PYREF_PACKAGES)' | cksum | cut -d' ' -f1)
pyref: $(PYREF_STAMP)
$(PYREF_STAMP):
	@mkdir -p $(BIN)
	test -x $(BIN)/pyref/bin/python || python3 -m venv $(BIN)/pyref
	$(BIN)/pyref/bin/python -m pip install --quiet --disable-pip-version-check $(PYREF_PACKAGES)
	@touch $@

# The Elasticsearch test cluster (internal/testsupport/testenv/escluster): real
# Elasticsearch 8 nodes in one JVM, from Maven Central, built with Maven into
# bin/escluster. A JDK 17 and Maven come from Debian's packages when missing.
escluster: $(BIN)/escluster/.built
$(BIN)/escluster/.built: $(ESCLUSTER_SRC) | jdk
	mvn -q -B -f internal/testsupport/testenv/escluster/java/pom.xml package
	@touch $@

jdk:
	@if ! command -v javac >/dev/null || ! command -v mvn >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
		echo "Installing a JDK 17 and Maven for the Elasticsearch test cluster: $$sudo apt-get install -y openjdk-17-jdk-headless maven"; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y openjdk-17-jdk-headless maven || \
		{ $$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y openjdk-17-jdk-headless maven; }; \
	fi

# The browser tests (e2e/browser_test.go) drive Debian's chromium.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
		echo "Installing Debian chromium for the browser tests: $$sudo apt-get install -y chromium"; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y chromium || \
		{ $$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y chromium; }; \
	fi

# Fault injection: each pipeline killed -9 at FAULT_KILLS random points
# (STUDIO_FAULT_SEED replays a run), `studio dev` killed mid-upload, the
# faults of the production topology (workers, the server and an
# Elasticsearch node), and every bad-input class; prints the summary and
# writes docs/reliability.md.
FAULT_KILLS ?= 3
test-faults: temporal escluster
	STUDIO_REQUIRE_TEMPORAL=1 STUDIO_REQUIRE_ES=1 STUDIO_FAULT_KILLS=$(FAULT_KILLS) $(GO) test -count=1 -json -timeout 50m \
		-run 'TestFaults|Kill|Bad|Fail|Busy|TestTopology' ./e2e/ | $(GO) run ./internal/testsupport/faultreport -o docs/reliability.md

# Each benchmark prints its throughput beside the raw engine's, measured in
# the same run.
bench: build escluster pyref
	$(GO) run ./internal/bench/startbench -studio $(BIN)/studio -temporal $(BIN)/temporal
	$(GO) run ./internal/bench/docbench
	$(GO) run ./internal/bench/dlbench -size 500MB
	$(GO) run ./internal/bench/tpbench -rows 1000000
	$(GO) run ./internal/bench/pybench -rows 1000000
	$(GO) run ./internal/bench/pyuploadbench -rows 1000000
	$(GO) run ./internal/bench/uploadbench -rows 1000000
	$(GO) run ./internal/bench/hubuploadbench -rows 200000
	$(GO) run ./internal/bench/inspectbench -n 1000000
	$(GO) run ./internal/bench/mergebench -n 1000000
	$(GO) run ./internal/bench/indexbench -n 200000
	$(GO) run ./internal/bench/releasebench -n 1000000
	$(GO) run ./internal/bench/esbench -n 1000000
	$(GO) run ./internal/bench/diffbench -n 1000000 -changes 0.01
	$(GO) run ./internal/bench/syncbench -n 100000 -updates 10000
	$(GO) run ./internal/bench/apibench -d 10s -c 32
	$(GO) run ./internal/bench/apibench -engine elasticsearch -peer biothings -d 10s -c 32

# The whole pipeline through the product on a generated N-row CGI-shaped
# file: dump, upload, inspect, build, full release on Bleve, then a changed
# file released incrementally. Per step: time, docs/s, peak resident memory
# of the studio process (its parser children and the Temporal dev server
# apart), disk used; then the Temporal history lengths. See docs/scale.md.
N ?= 1000000
bench-scale: build
	$(GO) run ./internal/bench/scalebench -n $(N) -studio $(BIN)/studio -temporal $(BIN)/temporal

# Each fuzz target for FUZZTIME; corpora live in each package's testdata/fuzz.
FUZZTIME ?= 3m
FUZZ_TARGETS := \
	./internal/domain/manifest:FuzzParse \
	./internal/domain/archive:FuzzExtract \
	./internal/engine/search/lucene:FuzzParse \
	./internal/engine/search:FuzzDecodeDoc \
	./internal/domain/dataapi/apiopts:FuzzParseQuery \
	./internal/domain/dataapi:FuzzAPI \
	./internal/domain/dataapi:FuzzCanonical \
	./internal/encoding/jsondiff:FuzzRoundTrip \
	./internal/domain/inspect:FuzzInspect \
	./internal/domain/tableparse:FuzzRun

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzzing $$fn in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

clean:
	rm -rf $(BIN)/studio
