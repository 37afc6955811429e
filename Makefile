# chcloud: the pipeline is spec -> gen -> cloud -> cmd, with conformance watching it.
# Every target uses the tool versions pinned in go.mod (see tools.go); nothing is downloaded
# except Go modules.

GO ?= go
# Hand-written code only: generated files are never linted.
LINT_FILTER = grep -v '\.gen\.go:' || true

.PHONY: all generate verify-generate test lint vet staticcheck actionlint ci build

all: generate test

## generate: regenerate spec/overlay.yaml and gen/cloudapi from spec/openapi.json.
generate:
	$(GO) generate ./...

## verify-generate: fail when the committed generated code is not what go generate writes.
verify-generate: generate
	@git diff --exit-code -- spec gen || { echo "generated files are stale: run 'make generate' and commit"; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- spec gen); \
	  if [ -n "$$untracked" ]; then echo "go generate wrote untracked files: $$untracked"; exit 1; fi

## test: all unit tests (and, once present, the conformance suite in replay mode).
test:
	$(GO) test ./...

## lint: go vet and staticcheck on hand-written code.
lint: vet staticcheck

vet:
	@out=$$($(GO) vet ./... 2>&1 | $(LINT_FILTER)); if [ -n "$$out" ]; then echo "$$out"; exit 1; fi

staticcheck:
	@out=$$($(GO) run honnef.co/go/tools/cmd/staticcheck ./... 2>&1 | $(LINT_FILTER)); if [ -n "$$out" ]; then echo "$$out"; exit 1; fi

## actionlint: check the GitHub workflows. Run at a pinned version with its own go.mod, because
## it needs go.yaml.in/yaml/v4 v4.0.0-rc.3 while our other dependencies need v4.0.0.
ACTIONLINT_VERSION = v1.7.12
actionlint:
	$(GO) run github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION) .github/workflows/*.yml

build:
	$(GO) build -o bin/chcloud ./cmd/chcloud

## ci: what .ci/run and the CI workflow run.
ci: verify-generate lint actionlint test
