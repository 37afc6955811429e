package conformance

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/spec"
)

// The suite: one spec per operation of the published document, generated before RunSpecs.
//
//	go test ./conformance/                                   # replay the cassettes (default, no network)
//	CHCLOUD_CONFORMANCE=record CLICKHOUSE_API_URL=fake CHCLOUD_CONFORMANCE_MUTATE=1 go test ./conformance/
//	CHCLOUD_CONFORMANCE=live CLICKHOUSE_CLOUD_API_KEY=... CLICKHOUSE_CLOUD_API_SECRET=... go test ./conformance/
//
// Select with labels: -ginkgo.label-filter='tag:Service && readonly', 'op:instanceGet', '!beta',
// 'negative' (the error contracts only), '!negative' (the happy paths only).

// operations is the inventory, read before RunSpecs so that every operation becomes a spec.
var operations = func() []spec.Operation {
	ops, err := spec.Operations()
	if err != nil {
		panic(err)
	}
	return ops
}()

var run *Run

func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Conformance")
}

// labels for an operation: op:<id>, tag:<Tag>, readonly|mutating, beta.
func labels(o spec.Operation) Labels {
	l := Labels{"op:" + o.ID}
	for _, t := range o.Tags {
		l = append(l, "tag:"+strings.ReplaceAll(t, " ", "_"))
	}
	if o.Mutating() {
		l = append(l, "mutating")
	} else {
		l = append(l, "readonly")
	}
	if o.Beta {
		l = append(l, "beta")
	}
	return l
}

// ginkgoDefer runs a scenario's cleanup after the spec (or the suite), failing it on error.
func ginkgoDefer(what string, f func(context.Context) error) {
	DeferCleanup(func(ctx SpecContext) {
		Expect(f(ctx)).To(Succeed(), "cleanup: %s", what)
	})
}

var _ = BeforeSuite(func(ctx SpecContext) {
	cfg, err := ConfigFromEnv(os.Getenv, ".")
	Expect(err).NotTo(HaveOccurred())
	if cfg.Mode == Record && !cfg.Mutate {
		Fail("record mode rewrites every cassette, mutating operations included: set " + EnvMutate + "=1")
	}
	if cfg.CallsServer() && cfg.BaseURL == FakeURL {
		// A limit no run reaches, so that answers carry the X-RateLimit headers the real API
		// sends (the fake sends them only with its limit on) and nothing waits.
		fake := cloudtest.NewServer(cloudtest.WithRateLimit(FakeRateLimit, 10*time.Second))
		DeferCleanup(fake.Close)
		cfg.BaseURL, cfg.KeyID, cfg.KeySecret = fake.URL, fake.KeyID, fake.KeySecret
		cfg.FakeQuirks = "none"
		if q := fake.Quirks(); q == cloudtest.AllQuirks {
			cfg.FakeQuirks = "all"
		} else if q != cloudtest.NoQuirks {
			cfg.FakeQuirks = q.String()
		}
		if cfg.DisposableMember == "" {
			cfg.DisposableMember = cloudtest.SpareMemberEmail
		}
	}
	run, err = NewRun(cfg, ".")
	Expect(err).NotTo(HaveOccurred())
	// A failed setup is reported by every spec, so the report still lists every operation.
	_ = run.Setup(ctx, ginkgoDefer)
})

var _ = Describe("ClickHouse Cloud API", func() {
	for _, o := range operations {
		It(o.ID, labels(o), func(ctx SpecContext) {
			out := run.Operation(ctx, o, ginkgoDefer)
			if out.Skip != "" {
				Skip(out.Skip)
			}
			if out.Fail != "" {
				Fail(out.Fail)
			}
		})
	}
})

// The error contracts: one spec per operation with an id in its path, a body or an
// authentication probe, labelled "negative" (run only them with --label-filter=negative).
var _ = Describe("error contracts", func() {
	for _, o := range operations {
		if !HasNegative(o) {
			continue
		}
		It(o.ID, append(labels(o), "negative"), func(ctx SpecContext) {
			out := run.Negative(ctx, o, ginkgoDefer)
			if out.Skip != "" {
				Skip(out.Skip)
			}
			if out.Fail != "" {
				Fail(out.Fail)
			}
		})
	}
})

var _ = ReportAfterSuite("drift report", func(r Report) {
	if run == nil {
		return
	}
	full := r.SpecialSuiteFailureReasons == nil && len(r.SuiteConfig.FocusStrings) == 0 &&
		len(r.SuiteConfig.SkipStrings) == 0 && r.SuiteConfig.LabelFilter == ""
	_, err := run.Finish(os.Stdout, full)
	Expect(err).NotTo(HaveOccurred())
})
