package conformance

// Tests of the suite itself, with the standard testing package: they drive Run directly (Ginkgo
// can run only one suite per process) and never reach the network (cloudtest listens on loopback).

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/cloud/redact"
	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/conformance/findings"
	"github.com/chcloud-dev/chcloud/spec"
)

// cleanupStack runs deferred cleanups last-first, like Ginkgo's DeferCleanup.
type cleanupStack struct {
	fs   []func(context.Context) error
	errs []error
}

func (c *cleanupStack) add(what string, f func(context.Context) error) {
	c.fs = append(c.fs, func(ctx context.Context) error {
		if err := f(ctx); err != nil {
			return errors.New(what + ": " + err.Error())
		}
		return nil
	})
}

func (c *cleanupStack) run(ctx context.Context) {
	for i := len(c.fs) - 1; i >= 0; i-- {
		if err := c.fs[i](ctx); err != nil {
			c.errs = append(c.errs, err)
		}
	}
	c.fs = nil
}

// runAll runs every operation the way the Ginkgo suite does and returns the report.
func runAll(t *testing.T, r *Run, ids ...string) *findings.Report {
	t.Helper()
	ctx := context.Background()
	var suite cleanupStack
	if err := r.Setup(ctx, suite.add); err != nil {
		suite.run(ctx)
		t.Fatalf("setup: %v", err)
	}
	for _, o := range operations {
		if len(ids) > 0 && !slices.Contains(ids, o.ID) {
			continue
		}
		var spec cleanupStack
		out := r.Operation(ctx, o, spec.add)
		spec.run(ctx)
		for _, err := range spec.errs {
			t.Errorf("%s: cleanup: %v", o.ID, err)
		}
		_ = out
		if HasNegative(o) {
			var neg cleanupStack
			r.Negative(ctx, o, neg.add)
			neg.run(ctx)
			for _, err := range neg.errs {
				t.Errorf("%s (negative): cleanup: %v", o.ID, err)
			}
		}
	}
	suite.run(ctx)
	for _, err := range suite.errs {
		t.Errorf("suite cleanup: %v", err)
	}
	return r.Report(len(ids) == 0)
}

func TestEveryOperationHasAScenario(t *testing.T) {
	skipped := 0
	for _, o := range operations {
		if !HasScenario(o.ID) {
			t.Errorf("%s (%s %s) has no scenario and no skip in scenarios.go", o.ID, o.Method, o.Path)
		}
		if reason := SkipReason(o.ID); reason != "" {
			skipped++
			if len(strings.Fields(reason)) < 8 {
				t.Errorf("%s: a skip needs a written reason, got %q", o.ID, reason)
			}
		}
	}
	if share := float64(skipped) / float64(len(operations)); share > MaxSkipShare {
		t.Errorf("%d of %d operations skipped (%.1f%%), at most %.0f%% allowed", skipped, len(operations), 100*share, 100*MaxSkipShare)
	}
	for _, id := range ScenarioIDs() {
		if _, ok := spec.Lookup(id); !ok {
			t.Errorf("scenario for %s, which is not an operation of the document", id)
		}
	}
	for _, o := range operations {
		if sc := scenarios()[o.ID]; sc.Body != nil && !takesBody(o) {
			t.Errorf("%s has a body in its scenario, but the document declares no JSON body", o.ID)
		}
	}
	for name, r := range resources {
		for _, id := range []string{r.list, r.create, r.del} {
			if _, ok := spec.Lookup(id); id != "" && !ok {
				t.Errorf("resource %s names %s, which is not an operation of the document", name, id)
			}
		}
	}
}

// The committed cassettes cover every operation that is not skipped, say they were recorded
// against the fake, and hold nothing else.
func TestCommittedCassettes(t *testing.T) {
	cfg := Config{CassetteDir: filepath.Join("testdata", "cassettes")}
	rf, err := cfg.ReadRunFile()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rf.RecordedBy, "cloudtest") {
		t.Errorf("_run.json says the cassettes were recorded against %q, want the fake server", rf.RecordedBy)
	}
	files, err := filepath.Glob(filepath.Join(cfg.CassetteDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		have[name] = true
		if _, ok := spec.Lookup(name); !ok && name != SetupCassette {
			t.Errorf("cassette %s belongs to no operation", f)
		}
		c, err := cassette.Load(strings.TrimSuffix(f, ".yaml"))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, i := range c.Interactions {
			if i.Response.Headers.Get(cloudtest.HeaderFake) == "" {
				t.Errorf("%s: interaction %d does not carry %s", f, i.ID, cloudtest.HeaderFake)
			}
			if i.Request.Headers.Get("Authorization") != "" {
				t.Errorf("%s: interaction %d kept an Authorization header", f, i.ID)
			}
		}
	}
	for _, o := range operations {
		if SkipReason(o.ID) == "" && !have[o.ID] {
			t.Errorf("no cassette for %s: record with %s", o.ID, RecordCommand)
		}
	}
}

func TestReplayWithoutCassetteSaysHowToRecord(t *testing.T) {
	cfg := Config{Mode: Replay, CassetteDir: t.TempDir(), ReportDir: t.TempDir(), BaseURL: DefaultAPIURL}
	r, err := NewRun(cfg, ".")
	if err != nil {
		t.Fatal(err)
	}
	var cleanups cleanupStack
	err = r.Setup(context.Background(), cleanups.add)
	if !errors.Is(err, ErrNoCassette) || !strings.Contains(err.Error(), RecordCommand) {
		t.Fatalf("setup error = %v, want ErrNoCassette naming %q", err, RecordCommand)
	}

	// With the setup cassette present but the operation's one missing.
	dir := t.TempDir()
	copyCassettes(t, dir, "_run.json", SetupCassette+".yaml")
	cfg.CassetteDir = dir
	r, err = NewRun(cfg, ".")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Setup(context.Background(), cleanups.add); err != nil {
		t.Fatal(err)
	}
	out := r.Operation(context.Background(), op("organizationGet"), cleanups.add)
	if !strings.Contains(out.Fail, "organizationGet.yaml") || !strings.Contains(out.Fail, RecordCommand) {
		t.Errorf("failure %q does not name the cassette and the command that records it", out.Fail)
	}
	if out.Result.Outcome != findings.Errored {
		t.Errorf("outcome = %s, want error", out.Result.Outcome)
	}
}

func copyCassettes(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		raw, err := os.ReadFile(filepath.Join("testdata", "cassettes", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Doctored copies of a recorded answer each produce exactly the expected finding, through the
// whole replay path (cassette, caller, checker, known deviations).
func TestDoctoredCassettes(t *testing.T) {
	const opID = "organizationGet"
	cases := []struct {
		name   string
		doctor func(r *cassette.Response)
		want   findings.Finding
	}{
		{"extra field", func(r *cassette.Response) { r.Body = strings.Replace(r.Body, `"name":`, `"tier":"basic","name":`, 1) },
			findings.Finding{Kind: findings.UndeclaredField, Path: "$.result.tier", Status: 200}},
		{"wrong type", func(r *cassette.Response) { r.Body = replaceField(t, r.Body, "name", 42) },
			findings.Finding{Kind: findings.TypeMismatch, Path: "$.result.name", Status: 200}},
		{"null", func(r *cassette.Response) { r.Body = replaceField(t, r.Body, "name", nil) },
			findings.Finding{Kind: findings.NullValue, Path: "$.result.name", Status: 200}},
		{"undeclared 409", func(r *cassette.Response) {
			r.Code, r.Status = 409, "409 Conflict"
			r.Body = `{"status":409,"requestId":"0b8f3b0e-6a57-4f0e-9a53-8f7e0d0f4c11","error":"CONFLICT: busy"}`
		}, findings.Finding{Kind: findings.UndeclaredStatus, Status: 409}},
		{"missing requestId", func(r *cassette.Response) {
			var m map[string]any
			if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
				t.Fatal(err)
			}
			delete(m, "requestId")
			raw, _ := json.Marshal(m)
			r.Body = string(raw)
		}, findings.Finding{Kind: findings.EnvelopeAnomaly, Path: "$.requestId", Status: 200}},
		{"HTML 404", func(r *cassette.Response) {
			r.Code, r.Status = 404, "404 Not Found"
			r.Headers = http.Header{"Content-Type": {"text/html; charset=utf-8"}}
			r.Body = "<html><head><title>404 Not Found</title></head><body>404 Not Found</body></html>"
		}, findings.Finding{Kind: findings.UndeclaredStatus, Status: 404}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyCassettes(t, dir, "_run.json", SetupCassette+".yaml", opID+".yaml")
			c, err := cassette.Load(filepath.Join(dir, opID))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Interactions) != 1 {
				t.Fatalf("%s cassette has %d interactions, want 1", opID, len(c.Interactions))
			}
			c.MarshalFunc = yaml.Marshal
			tc.doctor(&c.Interactions[0].Response)
			c.Interactions[0].Response.ContentLength = int64(len(c.Interactions[0].Response.Body))
			c.Interactions[0].Response.Headers.Del("Content-Length")
			if err := c.Save(); err != nil {
				t.Fatal(err)
			}
			r, err := NewRun(Config{Mode: Replay, CassetteDir: dir, ReportDir: t.TempDir(), BaseURL: DefaultAPIURL}, ".")
			if err != nil {
				t.Fatal(err)
			}
			rep := runAll(t, r, opID)
			if len(rep.Operations) != 1 {
				t.Fatalf("report has %d operations", len(rep.Operations))
			}
			got := rep.Operations[0].Findings
			if len(got) != 1 {
				t.Fatalf("got %d findings, want exactly 1 (%s %s): %+v", len(got), tc.want.Kind, tc.want.Path, got)
			}
			if got[0].Kind != tc.want.Kind || got[0].Path != tc.want.Path || got[0].Status != tc.want.Status || got[0].OperationID != opID {
				t.Errorf("finding = %s, want %s %d %s", got[0], tc.want.Kind, tc.want.Status, tc.want.Path)
			}
			if got[0].Known == nil && rep.Operations[0].Outcome != findings.NewFindings {
				t.Errorf("outcome = %s for a new finding", rep.Operations[0].Outcome)
			}
		})
	}
}

func replaceField(t *testing.T, body, name string, value any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	m["result"].(map[string]any)[name] = value
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// spy sits below the recorder and collects every secret value that crossed the wire, before
// scrubbing: what the test then searches the cassettes and reports for.
type spy struct {
	next    http.RoundTripper
	secrets map[string]bool
}

func (s *spy) RoundTrip(r *http.Request) (*http.Response, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		s.secrets[auth] = true
		s.secrets[strings.TrimPrefix(auth, "Basic ")] = true
	}
	if r.Body != nil {
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		s.collect(raw)
	}
	resp, err := s.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	s.collect(raw)
	return resp, nil
}

func (s *spy) collect(body []byte) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	var walk func(v any, secret bool)
	walk = func(v any, secret bool) {
		switch t := v.(type) {
		case map[string]any:
			_, withSecret := t["keySecret"]
			for k, child := range t {
				walk(child, secret || redact.IsSecretField(k) || (withSecret && k == "keyId"))
			}
		case []any:
			for _, child := range t {
				walk(child, secret)
			}
		case string:
			if secret && len(t) >= 6 && t != redact.Placeholder {
				s.secrets[t] = true
			}
		}
	}
	walk(v, false)
}

// A record run against the fake creates API keys and services (whose answers carry a key secret
// and a password) and sends a Postgres password: none of those, nor the credentials it used,
// may appear in any cassette or report.
func TestRecordLeavesNoSecrets(t *testing.T) {
	fake := cloudtest.NewServer(cloudtest.WithRateLimit(FakeRateLimit, 10*time.Second), cloudtest.WithProvisioningDelay(0), cloudtest.WithTransitionDelay(0), cloudtest.WithDeleteCooldown(0))
	defer fake.Close()
	cassettes, reports := t.TempDir(), t.TempDir()
	cfg := Config{Mode: Record, Mutate: true, BaseURL: fake.URL, KeyID: fake.KeyID, KeySecret: fake.KeySecret,
		CassetteDir: cassettes, ReportDir: reports, RunPrefix: NamePrefix + "test01"}
	r, err := NewRun(cfg, ".")
	if err != nil {
		t.Fatal(err)
	}
	// The wrong secret of the negative scenarios is a secret too: it must be scrubbed like one.
	sp := &spy{next: http.DefaultTransport, secrets: map[string]bool{fake.KeySecret: true, fake.KeyID: true, r.wrongSecret: true,
		base64.StdEncoding.EncodeToString([]byte(fake.KeyID + ":" + fake.KeySecret)): true}}
	r.Transport = sp
	start := time.Now()
	rep := runAll(t, r)
	t.Logf("record run against cloudtest: %d operations in %s", len(rep.Operations), time.Since(start).Round(time.Millisecond))
	if rep.Summary.Errors != 0 {
		for _, o := range rep.Operations {
			if o.Error != "" {
				t.Errorf("%s: %s", o.OperationID, o.Error)
			}
		}
	}
	var discard bytes.Buffer
	if _, err := r.Finish(&discard, true); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"openapiKeyCreate", "instanceCreate", "postgresServiceSetPassword"} {
		if !slices.Contains(rep.Operations[slices.IndexFunc(rep.Operations, func(o findings.OperationResult) bool { return o.OperationID == id })].Statuses, 200) {
			t.Errorf("%s did not succeed, so the test would not see its secrets", id)
		}
	}
	if len(sp.secrets) < 6 {
		t.Fatalf("the spy saw only %d secrets; the run did not exercise key and service creation", len(sp.secrets))
	}
	files := 0
	for _, dir := range []string{cassettes, reports} {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			files++
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for secret := range sp.secrets {
				if bytes.Contains(raw, []byte(secret)) {
					t.Errorf("%s contains a secret used or returned in the run (%d characters)", filepath.Base(path), len(secret))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < len(operations) {
		t.Errorf("only %d files written", files)
	}
}

// memberDelete removes the member named by EnvDisposableMember and nobody else; without one,
// or when that member is not in the organization, it is skipped with a reason that says what
// to set.
func TestMemberDeleteRemovesOnlyTheDisposableMember(t *testing.T) {
	for _, tc := range []struct {
		name, member, skip string
	}{
		{"spare member", cloudtest.SpareMemberEmail, ""},
		{"not a member", "nobody@example.com", "no member with the email nobody@example.com"},
		{"not configured", "", EnvDisposableMember},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := cloudtest.NewServer(cloudtest.WithRateLimit(FakeRateLimit, 10*time.Second), cloudtest.WithProvisioningDelay(0), cloudtest.WithTransitionDelay(0), cloudtest.WithDeleteCooldown(0))
			defer fake.Close()
			cfg := Config{Mode: Record, Mutate: true, BaseURL: fake.URL, KeyID: fake.KeyID, KeySecret: fake.KeySecret,
				CassetteDir: t.TempDir(), ReportDir: t.TempDir(), RunPrefix: NamePrefix + "test02", DisposableMember: tc.member}
			r, err := NewRun(cfg, ".")
			if err != nil {
				t.Fatal(err)
			}
			before := memberEmails(t, fake)
			rep := runAll(t, r, "memberDelete")
			after := memberEmails(t, fake)
			o := rep.Operations[slices.IndexFunc(rep.Operations, func(o findings.OperationResult) bool { return o.OperationID == "memberDelete" })]
			if tc.skip != "" {
				if o.Outcome != findings.Skipped || !strings.Contains(o.SkipReason, tc.skip) {
					t.Errorf("outcome %s (%q), want skipped saying %q", o.Outcome, o.SkipReason, tc.skip)
				}
				if len(after) != len(before) {
					t.Errorf("members %v became %v", before, after)
				}
				return
			}
			if o.Outcome != findings.Passed {
				t.Fatalf("outcome %s (%q %q)", o.Outcome, o.SkipReason, o.Error)
			}
			if len(after) != len(before)-1 || slices.Contains(after, tc.member) {
				t.Errorf("members %v became %v, want only %s removed", before, after, tc.member)
			}
		})
	}
}

func memberEmails(t *testing.T, fake *cloudtest.Server) []string {
	t.Helper()
	c, err := cloud.New(cloud.WithBaseURL(fake.URL), cloud.WithCredentials(fake.KeyID, fake.KeySecret), cloud.WithoutRateLimit())
	if err != nil {
		t.Fatal(err)
	}
	members, err := cloud.Result(c.MemberGetListWithResponse(context.Background(), fake.OrganizationID))
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, m := range members {
		if m.Email != nil {
			emails = append(emails, *m.Email)
		}
	}
	return emails
}
