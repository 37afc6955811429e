# chcloud: the pipeline is spec -> gen -> cloud -> cmd, with conformance watching it.
# Every target uses the tool versions pinned in go.mod (see tools.go); nothing is downloaded
# except Go modules.

GO ?= go
# Hand-written code only: generated files are never linted.
LINT_FILTER = grep -v '\.gen\.go:' || true

.PHONY: all generate verify-generate test lint fmt vet staticcheck actionlint ci build \
	conformance conformance-record conformance-live spec-update mock bench fuzz install cross

all: generate test

# NO_COLOR (https://no-color.org: set and not empty) turns Ginkgo's colours off, as it does the CLI's.
GINKGO = $(GO) run github.com/onsi/ginkgo/v2/ginkgo --junit-report=junit.xml --output-dir=conformance/report \
	$(if $(NO_COLOR),--no-color)

## conformance: main job. Replay every operation from the committed cassettes (no network);
## reports in conformance/report/ (drift.md, drift.json, junit.xml).
conformance:
	$(GINKGO) ./conformance

## conformance-record: re-record every cassette (default: the in-process fake; set
## CLICKHOUSE_API_URL, the variable the SDK and chcloud read, and the key variables for a real
## organization; the deprecated CHCLOUD_API_URL is still honoured).
conformance-record:
	CHCLOUD_CONFORMANCE=record CLICKHOUSE_API_URL=$${CLICKHOUSE_API_URL:-$${CHCLOUD_API_URL:-fake}} CHCLOUD_CONFORMANCE_MUTATE=1 $(GINKGO) ./conformance

## conformance-live: read-only run against CLICKHOUSE_API_URL (default the real API) with
## CLICKHOUSE_CLOUD_API_KEY / CLICKHOUSE_CLOUD_API_SECRET.
conformance-live:
	CHCLOUD_CONFORMANCE=live $(GINKGO) ./conformance

## mock: a fake ClickHouse Cloud API on 127.0.0.1:8124 (prints the credentials to export).
mock:
	$(GO) run ./cmd/chcloud mock serve

## bench: the benchmarks whose figures are in the closing notes.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./cloud/ ./cloudtest/ ./spec/drift/

## fuzz: the fuzz targets, 30 s each.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseAPIError -fuzztime 30s ./cloud/
	$(GO) test -run '^$$' -fuzz FuzzNormalize -fuzztime 30s ./cloud/
	$(GO) test -run '^$$' -fuzz FuzzRequestPath -fuzztime 30s ./cloudtest/

## spec-update: fetch the published document (spec/openapi.json + spec/SOURCE), regenerate (as
## generate does: it completes whatever operations the document adds or removes, and hand-written
## code that used a removed one then fails to compile, at its file and line), run the tests, then
## report what changed for API users (spec diff, old vs new document) and for Go users (apidiff
## of gen/cloudapi before vs after). Fails when the tests fail, but only after printing both
## reports. SPEC_URL, SPEC_DIFF_FORMAT and SPEC_UPDATE_TEST can be overridden.
SPEC_URL ?= https://api.clickhouse.cloud/v1
SPEC_DIFF_FORMAT ?= text
SPEC_UPDATE_TEST ?= $(GO) test ./...

spec-update:
	@set -u; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) build -o "$$tmp/chcloud" ./cmd/chcloud || exit 1; \
	cp spec/openapi.json "$$tmp/openapi.json" && mkdir "$$tmp/cloudapi" && cp gen/cloudapi/*.go "$$tmp/cloudapi/" || exit 1; \
	"$$tmp/chcloud" spec fetch --url "$(SPEC_URL)" --out spec/openapi.json || exit $$?; \
	$(GENERATE) || exit 1; \
	$(SPEC_UPDATE_TEST); status=$$?; \
	echo; echo "== What changed in the document (spec diff, previous vs fetched)"; \
	"$$tmp/chcloud" spec diff "$$tmp/openapi.json" spec/openapi.json --format "$(SPEC_DIFF_FORMAT)" || status=1; \
	echo; echo "== What it means for Go users of gen/cloudapi (apidiff, before vs after regeneration)"; \
	"$$tmp/chcloud" spec apidiff "$$tmp/cloudapi" gen/cloudapi || status=1; \
	exit $$status

## generate: regenerate every generated file from spec/openapi.json, in dependency order, with
## the one entry point gen/cmd/generate (also what `go generate ./...` runs): spec/overlay.yaml
## (overlaygen), gen/cloudapi/cloudapi.gen.go (oapi-codegen), gen/cloudapi/results.gen.go
## (resultgen: the Result method of each response), cloud/schema.gen.go (schemagen: the
## SDK's tolerant decoding tables), conformance/findings/decoders_gen.go (decodergen, which reads
## the generated client), spec/drift/messages.gen.go (messagegen: oasdiff's English messages).
GENERATE = $(GO) run ./gen/cmd/generate -go "$(GO)"
generate:
	$(GENERATE)

## verify-generate: fail when any committed generated file (GENERATED) is not what generate writes.
GENERATED = spec gen cloud/schema.gen.go conformance/findings/decoders_gen.go
verify-generate: generate
	@git diff --exit-code -- $(GENERATED) || { echo "generated files are stale: run 'make generate' and commit"; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- $(GENERATED)); \
	  if [ -n "$$untracked" ]; then echo "generate wrote untracked files: $$untracked"; exit 1; fi

## test: all tests, including the conformance suite in replay mode (no network).
test:
	$(GO) test ./...

## lint: go vet and staticcheck on hand-written code.
lint: fmt vet staticcheck

## fmt: hand-written Go files must be gofmt-clean (generated ones are left to the generator).
fmt:
	@out=$$(git ls-files '*.go' | grep -v '\.gen\.go$$' | xargs gofmt -l); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

vet:
	@out=$$($(GO) vet ./... 2>&1 | $(LINT_FILTER)); if [ -n "$$out" ]; then echo "$$out"; exit 1; fi

staticcheck:
	@out=$$($(GO) run honnef.co/go/tools/cmd/staticcheck ./... 2>&1 | $(LINT_FILTER)); if [ -n "$$out" ]; then echo "$$out"; exit 1; fi

## actionlint: check the GitHub workflows. Run at a pinned version with its own go.mod, because
## it needs go.yaml.in/yaml/v4 v4.0.0-rc.3 while our other dependencies need v4.0.0.
ACTIONLINT_VERSION = v1.7.12
actionlint:
	$(GO) run github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION) .github/workflows/*.yml

## build: bin/chcloud, built as the release binaries are: without cgo (a static binary, which
## needs no C compiler to build and no dynamic loader to start; about 60 fewer page faults, 1-2 ms,
## at every start) and stripped.
build:
	CGO_ENABLED=0 $(GO) build -ldflags="-s -w" -o bin/chcloud ./cmd/chcloud

# -buildvcs=auto: `chcloud version` reads the commit from the build info, and some environments
# turn stamping off in GOFLAGS; auto stamps when git and a checkout are there and never fails.

## install: build chcloud from this checkout into $(go env GOBIN), or $(go env GOPATH)/bin when
## GOBIN is unset (`go install ./cmd/chcloud`, without cgo as for build), and say where it went.
install:
	CGO_ENABLED=0 $(GO) install -buildvcs=auto ./cmd/chcloud
	@dir=$$($(GO) env GOBIN); [ -n "$$dir" ] || dir=$$($(GO) env GOPATH)/bin; \
	  echo "installed $$dir/chcloud$$($(GO) env GOEXE)"; \
	  case ":$$PATH:" in *":$$dir:"*) ;; *) echo "note: $$dir is not on your PATH";; esac

## cross: the release binaries, built with the Go toolchain alone (no cgo): one per platform of
## CROSS_TARGETS into DIST (default bin/dist, which git ignores) as chcloud_<os>_<arch>[.exe],
## with DIST/SHA256SUMS. The release workflow runs it on a version tag; the tests of
## internal/cli/version type-check the same targets in seconds.
DIST ?= bin/dist
CROSS_TARGETS = linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
cross:
	@rm -rf "$(DIST)" && mkdir -p "$(DIST)"
	@set -e; for target in $(CROSS_TARGETS); do \
	  os=$${target%/*}; arch=$${target#*/}; ext=; if [ "$$os" = windows ]; then ext=.exe; fi; \
	  echo "build $(DIST)/chcloud_$${os}_$${arch}$$ext"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -buildvcs=auto -ldflags="-s -w" \
	    -o "$(DIST)/chcloud_$${os}_$${arch}$$ext" ./cmd/chcloud; \
	done
	@cd "$(DIST)" && if command -v sha256sum >/dev/null; then sha256sum chcloud_*; else shasum -a 256 chcloud_*; fi > SHA256SUMS
	@echo "checksums in $(DIST)/SHA256SUMS"

## ci: what .ci/run and the CI workflow run.
ci: verify-generate lint actionlint test
