# Studio: `make run` starts the whole product on the embedded engines;
# `make test` runs every test. Both install what they need first.

GO            ?= go
TEMPORAL_CLI  := github.com/temporalio/cli/cmd/temporal
TEMPORAL_VER  := v1.5.1
BIN           := $(CURDIR)/bin
VERSION       ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS       := -X studio/internal/version.Version=$(VERSION)
DATA_DIR      ?= $(CURDIR)/data
GO_PKGS       := ./...

export STUDIO_TEMPORAL_CLI := $(BIN)/temporal

.PHONY: all build temporal run test lint vet fmt-check bench fuzz clean help

all: build

help:
	@echo "make run    - install what is needed, build, start studio dev (http://127.0.0.1:8080)"
	@echo "make test   - lint and run every test"
	@echo "make bench  - every benchmark, each beside its raw engine"
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

build: temporal
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
# instead of a skip.
test: temporal lint
	STUDIO_REQUIRE_TEMPORAL=1 $(GO) test -count=1 -timeout 20m $(GO_PKGS)

# Each benchmark prints its throughput beside the raw engine's, measured in
# the same run.
bench: build
	$(GO) run ./internal/devstack/startbench -studio $(BIN)/studio -temporal $(BIN)/temporal
	$(GO) run ./internal/docstore/docbench
	$(GO) run ./internal/download/dlbench -size 500MB
	$(GO) run ./internal/tableparse/tpbench -rows 1000000
	$(GO) run ./internal/pyparser/pybench -rows 1000000
	$(GO) run ./internal/store/uploadbench -rows 1000000
	$(GO) run ./internal/inspect/inspectbench -n 1000000
	$(GO) run ./internal/merge/mergebench -n 1000000
	$(GO) run ./internal/search/bleve/indexbench -n 200000
	$(GO) run ./internal/differ/diffbench -n 1000000 -changes 0.01
	$(GO) run ./internal/syncer/syncbench -n 100000 -updates 10000
	$(GO) run ./internal/dataapi/apibench -d 10s -c 32

# Each fuzz target for FUZZTIME; corpora live in each package's testdata/fuzz.
FUZZTIME ?= 3m
FUZZ_TARGETS := \
	./internal/manifest:FuzzParse \
	./internal/archive:FuzzExtract \
	./internal/lucene:FuzzParse \
	./internal/apiopts:FuzzParseQuery \
	./internal/dataapi:FuzzAPI \
	./internal/jsondiff:FuzzRoundTrip \
	./internal/inspect:FuzzInspect \
	./internal/tableparse:FuzzRun

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzzing $$fn in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

clean:
	rm -rf $(BIN)/studio
