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

# -race roughly doubles build and run time; on the project's 2-core machines the
# whole suite still fits comfortably, and it is where concurrency bugs show.
TEST_FLAGS ?= -count=1 -race -timeout 15m

.PHONY: help run test lint bench up fmt

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

# The launcher is built then exec'd (not `go run`), so Ctrl-C reaches it
# directly and its clean stop is the exit status make reports.
run: ## build, create the database and start the whole fleet natively
	$(GO) build -o bin/fleet ./deploy/fleet/cmd/fleet
	exec bin/fleet

test: ## run every module's tests against the local PostgreSQL
	$(GO) test $(TEST_FLAGS) $(PKGS)

lint: $(GOLANGCI) ## go vet and golangci-lint on every module
	$(GO) vet $(PKGS)
	@status=0; for dir in $(MODULES); do \
		if [ -z "$$(cd "$$dir" && $(GO) list ./... 2>/dev/null)" ]; then \
			echo "golangci-lint: $${dir#$(CURDIR)/}: no packages yet, skipped"; continue; \
		fi; \
		echo "golangci-lint: $${dir#$(CURDIR)/}"; \
		(cd "$$dir" && $(GOLANGCI) run ./...) || status=1; \
	done; exit $$status

bench: ## run every benchmark once (numbers, never assertions)
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

up: ## build the images and start the fleet with Docker Compose
	docker compose up --build

fmt: ## format every Go file
	gofmt -w $(MODULES)

# golangci-lint is built from source through the Go module proxy, pinned, into ./bin.
$(GOLANGCI):
	GOBIN=$(CURDIR)/bin $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
