# One target per thing a person does. Every Go target covers every module
# listed in go.work, so a new module is picked up without editing this file.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO ?= go
# The directory of each module of the workspace, and the package patterns under them.
MODULES = $(shell $(GO) list -m -f '{{.Dir}}')
PKGS = $(addsuffix /...,$(MODULES))

GOLANGCI_VERSION := v2.15.0
GOLANGCI := $(CURDIR)/bin/golangci-lint
# Jaeger (ADR 0016): a Go tool in its own module, outside go.work.
JAEGER := bin/jaeger
POSTMAN_DIR := deploy/postman
NEWMAN_STAMP := $(POSTMAN_DIR)/node_modules/.package-lock.json
# The mermaid parser that test/docs loads into chromium to check the diagrams.
MERMAID_STAMP := test/docs/node_modules/.package-lock.json
# axe-core, which test/browser injects into every page of the web app.
AXE_STAMP := test/browser/node_modules/.package-lock.json

# -race roughly doubles build and run time; on the project's 2-core machines the
# whole suite still fits comfortably, and it is where concurrency bugs show.
TEST_FLAGS ?= -count=1 -race -timeout 15m

# Every fuzz target, as Name:package: `go test -fuzz` fuzzes one target of
# one package per run. `make test` replays their seeds and testdata/fuzz.
FUZZ_TARGETS = \
	FuzzParseCents:./services/kit \
	FuzzDecide:./orchestrator/internal/saga \
	FuzzBuildGateway:./deploy/fleet \
	FuzzClients_Decoders:./services/clients/cmd/clients \
	FuzzCommande_Decoders:./services/commande/cmd/commande \
	FuzzPaiement_Decoders:./services/paiement/cmd/paiement \
	FuzzPanier_Decoders:./services/panier/cmd/panier \
	FuzzStock_Decoders:./services/stock/cmd/stock \
	FuzzIdentite_Decoders:./services/identite/cmd/identite \
	FuzzOrchestrator_Decoders:./orchestrator/cmd/orchestrator
FUZZTIME ?= 10s
# Go minimizes every new input it keeps, by default for up to a minute; a
# few tries keep the run bounded and still shorten a crasher.
FUZZMINIMIZE ?= 10x

.PHONY: help run test lint bench up fmt fuzz jaeger docs-ui

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

# The launcher is built then exec'd (not `go run`), so Ctrl-C reaches it
# directly and its clean stop is the exit status make reports.
run: ## build, create the database and start the whole fleet natively
	@# Jaeger once (minutes on a cold build cache, then cached); the fleet runs without it if that fails.
	$(MAKE) --no-print-directory $(JAEGER) || echo "make run: Jaeger could not be built; the fleet starts without traces" >&2
	$(GO) build -o bin/fleet ./deploy/fleet/cmd/fleet
	exec bin/fleet

test: $(NEWMAN_STAMP) $(MERMAID_STAMP) $(AXE_STAMP) $(JAEGER) ## run every module's tests against the local PostgreSQL
	$(GO) test $(TEST_FLAGS) $(PKGS)

# newman (npm) runs the Postman collection in test/postman. npm writes
# node_modules/.package-lock.json on every install, so it is the stamp: a
# clean clone, or a lock file changed since, installs again, exactly the lock.
$(NEWMAN_STAMP): $(POSTMAN_DIR)/package.json $(POSTMAN_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "make test needs Node.js and npm for newman (test/postman): apt-get install nodejs npm" >&2; exit 1; }
	cd $(POSTMAN_DIR) && npm ci --no-audit --no-fund

# The same stamp for the docs' Mermaid check (test/docs/mermaid_test.go).
$(MERMAID_STAMP): test/docs/package.json test/docs/package-lock.json
	@command -v npm >/dev/null || { echo "make test needs Node.js and npm for the Mermaid check (test/docs): apt-get install nodejs npm" >&2; exit 1; }
	cd test/docs && npm ci --no-audit --no-fund

# The same stamp for the pages' accessibility check (test/browser/pages_test.go).
$(AXE_STAMP): test/browser/package.json test/browser/package-lock.json
	@command -v npm >/dev/null || { echo "make test needs Node.js and npm for axe-core (test/browser): apt-get install nodejs npm" >&2; exit 1; }
	cd test/browser && npm ci --no-audit --no-fund

# bin/jaeger is rebuilt only when its module's go.mod or go.sum changes: a
# cold build takes minutes (docs/observability.md#traces), a warm one seconds.
# GOWORK=off keeps its dependencies out of the workspace's version choices.
jaeger: $(JAEGER) ## build Jaeger into bin/jaeger (once); make run starts it, the trace test needs it
$(JAEGER): tools/jaeger/go.mod tools/jaeger/go.sum
	cd tools/jaeger && GOWORK=off $(GO) build -o $(CURDIR)/$(JAEGER) github.com/jaegertracing/jaeger/cmd/jaeger

lint: $(GOLANGCI) ## go vet and golangci-lint on every module
	$(GO) vet $(PKGS)
	@status=0; for dir in $(MODULES); do \
		if [ -z "$$(cd "$$dir" && $(GO) list ./... 2>/dev/null)" ]; then \
			echo "golangci-lint: $${dir#$(CURDIR)/}: no packages yet, skipped"; continue; \
		fi; \
		echo "golangci-lint: $${dir#$(CURDIR)/}"; \
		(cd "$$dir" && $(GOLANGCI) run ./...) || status=1; \
	done; exit $$status

# Each target starts from its seeds and testdata/fuzz only, in a cache dir of
# this run: the inputs kept by earlier runs would all be replayed first, each
# costing a server's whole coverage map, and crowd out the fuzzing. A crasher
# is written to the package's testdata/fuzz, to be committed as a regression
# test. Go 1.26 may fail a target with a bare "context deadline exceeded" as
# FUZZTIME ends (golang/go#75804, fixed in Go 1.27): that alone is no finding.
fuzz: ## fuzz each target of FUZZ_TARGETS for FUZZTIME (10s)
	@cache="$$(mktemp -d)"; trap 'rm -rf "$$cache"' EXIT; status=0; \
	for t in $(FUZZ_TARGETS); do \
		name="$${t%%:*}"; pkg="$${t#*:}"; log="$$cache/$$name.log"; \
		echo "fuzz: $$name in $$pkg for $(FUZZTIME)"; \
		if ! $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) "$$pkg" \
			-args -test.fuzzcachedir="$$cache/$$name" 2>&1 | tee "$$log"; then \
			if [ "$$(grep -c -- '--- FAIL' "$$log")" = 1 ] && grep -qx '    context deadline exceeded' "$$log" && \
				! grep -q 'Failing input written' "$$log"; then \
				echo "fuzz: $$name: Go's fuzztime race (golang/go#75804), not a finding"; \
			else \
				status=1; \
			fi; \
		fi; \
	done; \
	exit $$status

bench: ## run every benchmark once (numbers, never assertions)
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

up: ## build the images and start the fleet with Docker Compose
	docker compose up --build

fmt: ## format every Go file
	gofmt -w $(MODULES)

# The /docs page's Stoplight Elements, vendored from npm (docs/adr/0017-offline-docs-ui.md).
docs-ui: ## refresh the vendored docs UI (ELEMENTS_VERSION=x.y.z for another version)
	services/kit/docsui/update.sh $(ELEMENTS_VERSION)

# golangci-lint is built from source through the Go module proxy, pinned, into ./bin.
$(GOLANGCI):
	GOBIN=$(CURDIR)/bin $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
