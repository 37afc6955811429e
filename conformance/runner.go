package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chcloud-dev/chcloud/conformance/findings"
	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// DeferFunc registers a cleanup to run after the current spec (or, in Setup, after the run),
// last registered first. The Ginkgo suite passes a wrapper of DeferCleanup.
type DeferFunc func(what string, f func(context.Context) error)

// Run is one conformance run: its settings, the findings engine, the known deviations, the
// fixtures and the results so far. The Ginkgo suite drives it one operation per spec; tests of
// the suite drive it directly.
type Run struct {
	Config     Config
	Checker    *findings.Checker
	Deviations *findings.Deviations
	Fixtures   *Fixtures
	// Transport reaches the server in record and live mode (nil: http.DefaultTransport).
	Transport http.RoundTripper

	setupErr error

	mu        sync.Mutex
	results   map[string]findings.OperationResult
	negatives map[string]*findings.ErrorContract
	// wrongSecret is the secret the wrong-secret probes send: random per run, and so as
	// secret-shaped as a real one (scrubbing must keep it out of cassettes like any other).
	wrongSecret string
	fakeVersion string
	recording   RunFile // replay: what the cassettes were recorded against, and when
}

// NewRun prepares a run: the checker on the published document and the known deviations in
// dir/known-deviations.yaml.
func NewRun(cfg Config, dir string) (*Run, error) {
	checker, err := NewChecker()
	if err != nil {
		return nil, err
	}
	devs, err := findings.LoadDeviations(filepath.Join(dir, "known-deviations.yaml"))
	if err != nil {
		return nil, err
	}
	return &Run{Config: cfg, Checker: checker, Deviations: devs, Fixtures: &Fixtures{},
		results: map[string]findings.OperationResult{}, negatives: map[string]*findings.ErrorContract{}, wrongSecret: randomID(40)}, nil
}

// callTimeout bounds one call, answer included.
const callTimeout = 2 * time.Minute

// SetupCassette is the cassette of the run's setup and teardown.
const SetupCassette = "_setup"

// Setup finds or creates the fixtures. Its calls (and the teardown registered with deferFn)
// go to the _setup cassette. A failed setup fails every operation that runs afterwards.
func (r *Run) Setup(ctx context.Context, deferFn DeferFunc) error {
	if r.Config.Mode == Replay {
		rf, err := r.Config.ReadRunFile()
		if err != nil {
			r.setupErr = err
			return err
		}
		r.Config.RunPrefix = rf.RunPrefix
		r.Config.DisposableMember = rf.DisposableMember
		r.recording = rf
	}
	cas, err := r.Config.OpenCassette(SetupCassette, r.Transport)
	if err != nil {
		r.setupErr = err
		return err
	}
	deferFn("stop cassette "+SetupCassette, func(context.Context) error { return cas.Stop() })
	caller := &Caller{HTTP: &http.Client{Transport: cas, Timeout: callTimeout}, BaseURL: r.Config.BaseURL, Observe: r.noteFake}
	s := NewSession(ctx, r.Config, caller, r.Fixtures)
	s.Defer = deferFn
	if err := Setup(s); err != nil {
		r.setupErr = err
		return err
	}
	return nil
}

func (r *Run) noteFake(x *Exchange) {
	if v := x.Header.Get("X-Chcloud-Fake"); v != "" {
		r.mu.Lock()
		r.fakeVersion = v
		r.mu.Unlock()
	}
}

// Outcome is what happened to one operation, as the suite reports it to Ginkgo.
type Outcome struct {
	Result findings.OperationResult
	Skip   string // the spec is skipped with this message
	Fail   string // the spec fails with this message
}

// Operation runs the scenario of op and judges every answer op gave.
func (r *Run) Operation(ctx context.Context, o spec.Operation, deferFn DeferFunc) Outcome {
	if reason := SkipReason(o.ID); reason != "" {
		return r.record(o, nil, nil, reason, nil)
	}
	if !HasScenario(o.ID) {
		return r.record(o, nil, nil, "", fmt.Errorf("%s has no scenario and no skip: add one to conformance/scenarios.go", o.ID))
	}
	if o.Mutating() && !r.Config.RunsMutating() {
		return r.record(o, nil, nil, fmt.Sprintf("%s %s mode runs it only with %s=1", modeSkip, r.Config.Mode, EnvMutate), nil)
	}
	if r.setupErr != nil {
		return r.record(o, nil, nil, "", fmt.Errorf("setup failed: %w", r.setupErr))
	}
	cas, err := r.Config.OpenCassette(o.ID, r.Transport)
	if err != nil {
		return r.record(o, nil, nil, "", err)
	}
	// Registered first so that it runs last: cleanups call through the cassette.
	deferFn("stop cassette "+o.ID, func(context.Context) error { return cas.Stop() })

	var mu sync.Mutex
	var seen []*Exchange
	caller := &Caller{HTTP: &http.Client{Transport: cas, Timeout: callTimeout}, BaseURL: r.Config.BaseURL, Observe: func(x *Exchange) {
		r.noteFake(x)
		if x.Op.ID == o.ID {
			mu.Lock()
			seen = append(seen, x)
			mu.Unlock()
		}
	}}
	s := NewSession(ctx, r.Config, caller, r.Fixtures)
	s.Defer = deferFn
	req, err := s.Prepare(o)
	if errors.Is(err, ErrSkip) {
		return r.record(o, nil, nil, strings.TrimPrefix(err.Error(), ErrSkip.Error()+": "), nil)
	}
	if err != nil {
		return r.record(o, nil, nil, "", fmt.Errorf("preparing the request: %w", err))
	}
	x, err := caller.Call(ctx, o, req)
	if err != nil {
		return r.record(o, nil, nil, "", err)
	}
	if err := s.Finish(o, req, x); err != nil {
		return r.record(o, nil, nil, "", fmt.Errorf("after the call: %w", err))
	}
	mu.Lock()
	exchanges := slices.Clone(seen)
	mu.Unlock()
	var statuses []int
	var fs []findings.Finding
	for _, x := range exchanges {
		if !slices.Contains(statuses, x.Status) {
			statuses = append(statuses, x.Status)
		}
		fs = append(fs, r.Checker.Check(o, findings.Response{Status: x.Status, Header: x.Header, Body: x.Body})...)
		if x.OK() {
			// Ordinary answers carry the limiter's headers; error pages of the gateway need not.
			fs = append(fs, findings.CheckRateLimitHeaders(o, x.Status, x.Header)...)
		}
	}
	r.Deviations.Mark(fs)
	return r.record(o, statuses, fs, "", nil)
}

func (r *Run) record(o spec.Operation, statuses []int, fs []findings.Finding, skip string, err error) Outcome {
	res := findings.NewResult(o, statuses, fs, skip, err)
	r.mu.Lock()
	r.results[o.ID] = res
	r.mu.Unlock()
	out := Outcome{Result: res}
	switch res.Outcome {
	case findings.Skipped:
		out.Skip = skip
	case findings.Errored:
		out.Fail = res.Error
	case findings.NewFindings:
		var b strings.Builder
		fmt.Fprintf(&b, "%s: new findings (see conformance/report/drift.md; a known deviation goes in conformance/known-deviations.yaml):\n", o.ID)
		for _, f := range findings.New(res.Findings) {
			b.WriteString("  " + f.String() + "\n")
		}
		out.Fail = b.String()
	}
	return out
}

// Report assembles the run's report, in document order. full says every operation was selected
// (no label filter or focus): only then are unmatched known deviations reported as stale.
func (r *Run) Report(full bool) *findings.Report {
	ops, _ := spec.Operations()
	rep := &findings.Report{SpecSHA256: spec.SHA256(), Mode: string(r.Config.Mode), FullRun: full}
	r.mu.Lock()
	for _, o := range ops {
		res, ok := r.results[o.ID]
		if !ok {
			full = false
		}
		ec := r.negatives[o.ID]
		if !ok && ec == nil {
			continue
		}
		if !ok {
			res = findings.NewResult(o, nil, nil, "not selected in this run", nil)
		}
		if ec == nil && HasNegative(o) {
			full = false // a run without the negative specs is no full run
		}
		res.ErrorContract = ec
		rep.Operations = append(rep.Operations, res)
	}
	fake := r.fakeVersion
	r.mu.Unlock()
	rep.Target, rep.Source, rep.RealAPI = r.source(fake)
	rep.FullRun = full
	if full {
		rep.Stale = r.Deviations.Stale(rep.RealAPI)
	}
	rep.RelaxedOneOfs, _ = specdoc.RelaxedOneOfs()
	rep.Summarize()
	return rep
}

// source says what answered this run and when: the target, the sentence that opens the
// reports, and whether the answers are the real API's. A replay of answers recorded against the
// fake must never read as a verdict on the real API: the fake agrees with the document by
// construction, so such a run proves the machinery, not the API.
func (r *Run) source(fake string) (target, sentence string, real bool) {
	fakeTarget := func(version, quirks string) string {
		t := "the fake server cloudtest " + version
		if quirks != "" {
			t += " (quirks: " + quirks + ")"
		}
		return t
	}
	const machinery = "; the fake agrees with the document by construction, so this proves the machinery, not the real API"
	switch {
	case r.Config.Mode == Replay:
		rec := r.recording
		on := rec.RecordedOn
		if on == "" {
			on = "an unrecorded date"
		}
		recordedFake := rec.Fake || fake != "" || strings.Contains(rec.RecordedBy, "fake server")
		target = "cassettes"
		if rec.RecordedBy != "" {
			target += " recorded against " + rec.RecordedBy
		}
		sentence = fmt.Sprintf("replayed from cassettes recorded against %s on %s", orText(rec.RecordedBy, "an unknown server"), on)
		if recordedFake {
			return target, sentence + machinery, false
		}
		return target, sentence, true
	case fake != "":
		target = fakeTarget(fake, r.Config.FakeQuirks)
		return target, fmt.Sprintf("%s against %s, %s%s", r.Config.Mode, target, r.Config.today(), machinery), false
	default:
		host := strings.TrimPrefix(strings.TrimPrefix(r.Config.BaseURL, "https://"), "http://")
		return r.Config.BaseURL, fmt.Sprintf("%s, %s, %s", r.Config.Mode, host, r.Config.today()), true
	}
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// Finish writes drift.json and drift.md to the report directory (not in replay mode of a
// partial run, which would overwrite a full report with a fragment) and the summary to w.
func (r *Run) Finish(w io.Writer, full bool) (*findings.Report, error) {
	rep := r.Report(full)
	if err := rep.WriteSummary(w); err != nil {
		return rep, err
	}
	if r.Config.Mode == Record {
		if err := r.Config.WriteRunFile(rep.Target, rep.SpecSHA256, !rep.RealAPI); err != nil {
			return rep, err
		}
	}
	if err := checkSkipShare(rep); err != nil {
		return rep, err
	}
	// Only against the fake as recordings are made (every quirk on, default timings): a test
	// that records against a fake tuned otherwise does not reproduce every quirk.
	if r.Config.Mode == Replay || r.Config.FakeQuirks == "all" {
		if err := checkStaleQuirks(rep); err != nil {
			_ = rep.WriteFiles(r.Config.ReportDir) // the report shows which entries went stale
			return rep, err
		}
	}
	if !rep.FullRun && r.Config.ReportDir == filepath.Join(".", "report") {
		fmt.Fprintln(w, "partial run: conformance/report not rewritten")
		return rep, nil
	}
	return rep, rep.WriteFiles(r.Config.ReportDir)
}

// checkStaleQuirks fails a full run against the fake (recorded or replayed) in which a known
// deviation that a quirk of the fake reproduces matched nothing: the quirk, the scenario or the
// entry has changed, and CI is where that must show, not the next nightly live run.
func checkStaleQuirks(rep *findings.Report) error {
	if !rep.FullRun || rep.RealAPI {
		return nil
	}
	var stale []string
	for _, d := range rep.Stale {
		stale = append(stale, fmt.Sprintf("%s %s %s (quirk %s)", d.Operation, d.Kind, d.Path, d.Quirk))
	}
	if len(stale) > 0 {
		return fmt.Errorf("known deviations backed by a quirk of the fake matched nothing in this run: %s; "+
			"re-record the cassettes (%s) or fix the entry in known-deviations.yaml", strings.Join(stale, "; "), RecordCommand)
	}
	return nil
}

// modeSkip starts the reason of operations skipped because of the mode (read-only live runs);
// those do not count against MaxSkipShare.
const modeSkip = "mutating operation:"

// checkSkipShare fails a full run in which more than MaxSkipShare of the operations that the mode
// allows were skipped: a scenario that quietly stopped running is as bad as none.
func checkSkipShare(rep *findings.Report) error {
	if !rep.FullRun {
		return nil
	}
	eligible, skipped := 0, 0
	for _, o := range rep.Operations {
		if strings.HasPrefix(o.SkipReason, modeSkip) {
			continue
		}
		eligible++
		if o.Outcome == findings.Skipped {
			skipped++
		}
	}
	if eligible > 0 && float64(skipped) > MaxSkipShare*float64(eligible) {
		return fmt.Errorf("%d of %d operations were skipped, more than %.0f%% (see the skip reasons in drift.md)", skipped, eligible, 100*MaxSkipShare)
	}
	// The same for the negative scenarios: an unknown-id or invalid-body probe skipped for a
	// reason other than the mode counts against the share.
	eligible, skipped = 0, 0
	for _, o := range rep.Operations {
		if o.ErrorContract == nil {
			continue
		}
		for _, p := range o.ErrorContract.Probes {
			if p.Scenario != findings.ScenarioUnknownID && p.Scenario != findings.ScenarioInvalidBody {
				continue
			}
			if strings.Contains(p.Skip, " mode sends invalid bodies only") {
				continue
			}
			eligible++
			if p.Skip != "" {
				skipped++
			}
		}
	}
	if eligible > 0 && float64(skipped) > MaxSkipShare*float64(eligible) {
		return fmt.Errorf("%d of %d negative probes were skipped, more than %.0f%% (see the error contracts in drift.md)", skipped, eligible, 100*MaxSkipShare)
	}
	return nil
}
