package speccmd_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/iostreams"
	"github.com/chcloud-dev/chcloud/internal/cli/speccmd"
	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/drift"
)

const history = "../../../testdata/spec-history"

func historyFile(date string) string {
	return filepath.Join(history, "clickhouse-cloud-"+date+".json")
}

// run executes `chcloud spec ARGS...` and returns its output and the exit code the CLI would use.
func run(t *testing.T, args ...string) (stdout string, code int, err error) {
	t.Helper()
	return runWithStdin(t, "", args...)
}

func serve(t *testing.T, status int, contentType string, body []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/v1"
}

const tinyDocument = `{"openapi": "3.1.0", "info": {"title": "tiny", "version": "1.0"},
 "paths": {"/v1/organizations/{organizationId}": {"get": {"operationId": "organizationGet",
  "parameters": [{"name": "organizationId", "in": "path", "required": true, "schema": {"type": "string"}}],
  "responses": {"200": {"description": "ok"}}}}}}`

// tinyRevision drops organizationGet (breaking) and adds serviceList (info).
const tinyRevision = `{"openapi": "3.1.0", "info": {"title": "tiny", "version": "1.0"},
 "paths": {"/v1/organizations/{organizationId}/services": {"get": {"operationId": "serviceList",
  "parameters": [{"name": "organizationId", "in": "path", "required": true, "schema": {"type": "string"}}],
  "responses": {"200": {"description": "ok"}}}}}}`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func badInputs(t *testing.T) map[string]struct {
	url  string
	want string
} {
	return map[string]struct {
		url  string
		want string
	}{
		"unreachable":      {closedPort(t), "connection refused"},
		"not JSON":         {serve(t, 200, "application/json", []byte("hello")), "not JSON"},
		"HTML error page":  {serve(t, 503, "text/html", []byte("<html><title>Service Unavailable</title></html>")), "Service Unavailable"},
		"JSON not OpenAPI": {serve(t, 200, "application/json", []byte(`{"status": 200}`)), "not an OpenAPI 3 document"},
		"invalid OpenAPI":  {serve(t, 200, "application/json", []byte(strings.Replace(tinyDocument, `"200"`, `"success"`, 1))), `response key "success"`},
	}
}

func TestDiff_0725To0731(t *testing.T) {
	out, code, err := run(t, "diff", historyFile("2026-07-25"), historyFile("2026-07-31"), "--format", "json")
	if err != nil || code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	var r drift.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not a JSON report: %v", err)
	}
	if len(r.Summary.OperationsAdded) != 12 || len(r.Summary.OperationsRemoved) != 5 {
		t.Errorf("added %d, removed %d; want 12 and 5", len(r.Summary.OperationsAdded), len(r.Summary.OperationsRemoved))
	}
}

func TestDiff_FailOnAndJUnit(t *testing.T) {
	base, revision := writeFile(t, "base.json", tinyDocument), writeFile(t, "revision.json", tinyRevision)
	out, code, err := run(t, "diff", base, revision, "--format", "junit", "--fail-on", "breaking")
	if code != 1 || err == nil || !strings.Contains(err.Error(), "--fail-on breaking") {
		t.Fatalf("exit %d, err %v; want 1 from --fail-on breaking", code, err)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Failures int    `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil {
		t.Fatalf("output is not JUnit XML: %v\n%s", err, out)
	}
	if suites.Tests == 0 || suites.Failures == 0 || suites.Failures >= suites.Tests {
		t.Errorf("tests %d, failures %d: want some, but not all, failing", suites.Tests, suites.Failures)
	}
	for _, s := range suites.Suites {
		if s.Name != "breaking" && s.Failures != 0 {
			t.Errorf("suite %s has %d failures with --fail-on breaking", s.Name, s.Failures)
		}
	}

	if _, code, err := run(t, "diff", base, revision, "--fail-on", "never"); code != 0 {
		t.Errorf("--fail-on never: exit %d (%v), want 0", code, err)
	}
}

func TestDiff_VendoredAgainstPublishedCopyIsUnchanged(t *testing.T) {
	// The published document as served again: a new referrer token, everything else the same.
	served := bytes.Replace(spec.Document(), []byte("?referrer=openapi-"), []byte("?referrer=openapi-9"), 1)
	if bytes.Equal(served, spec.Document()) {
		t.Fatal("the vendored document has no referrer token")
	}
	out, code, err := run(t, "diff", "vendored", serve(t, 200, "application/json", served), "--format", "markdown", "--fail-on", "info")
	if err != nil || code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	if !strings.Contains(out, "No changes") {
		t.Errorf("report:\n%s", out)
	}
}

func TestDiff_BadInputExitsTwo(t *testing.T) {
	base := writeFile(t, "tiny.json", tinyDocument)
	for name, tc := range badInputs(t) {
		t.Run(name, func(t *testing.T) {
			out, code, err := run(t, "diff", base, tc.url)
			if code != 2 || err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.url) {
				t.Errorf("exit %d, error %v; want 2 and an error naming %s and saying %q", code, err, tc.url, tc.want)
			}
			if out != "" {
				t.Errorf("a failed diff printed a report:\n%s", out)
			}
		})
	}
	if _, code, err := run(t, "diff", "--format", "yaml"); code != 2 {
		t.Errorf("--format yaml: exit %d (%v), want 2", code, err)
	}
}

func TestDiff_ColonPathsAreComparedAndNamed(t *testing.T) {
	colon := writeFile(t, "colon.json", strings.ReplaceAll(tinyDocument, "/{organizationId}", "/:organizationId"))
	out, code, err := run(t, "diff", writeFile(t, "base.json", tinyDocument), colon)
	if err != nil || code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	if !strings.Contains(out, "/v1/organizations/:organizationId") || !strings.Contains(out, "code generator cannot use") {
		t.Errorf("the report does not name the /:param paths:\n%s", out)
	}
	if !strings.Contains(out, "No changes") {
		t.Errorf("a /:param path should match its {param} form:\n%s", out)
	}
}

func TestFetch(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "openapi.json")
	url := serve(t, 200, "application/json", []byte(tinyDocument))
	stdout, code, err := run(t, "fetch", "--url", url, "--out", out)
	if err != nil || code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	if got, _ := os.ReadFile(out); string(got) != tinyDocument {
		t.Error("the document was not written byte for byte")
	}
	source, _ := os.ReadFile(filepath.Join(dir, "SOURCE"))
	if fields := drift.ParseSource(string(source)); fields["url"] != url || len(fields["sha256"]) != 64 {
		t.Errorf("SOURCE = %q", source)
	}
	if !strings.Contains(stdout, "wrote "+out) {
		t.Errorf("output: %s", stdout)
	}
	if stdout, _, _ := run(t, "fetch", "--url", url, "--out", out); !strings.Contains(stdout, "up to date") {
		t.Errorf("second fetch: %s", stdout)
	}
}

func TestFetch_BadInputExitsTwoAndWritesNothing(t *testing.T) {
	cases := badInputs(t)
	cases["colon paths"] = struct {
		url  string
		want string
	}{serve(t, 200, "application/json", []byte(strings.ReplaceAll(tinyDocument, "/{organizationId}", "/:organizationId"))), "/:name parameters instead of /{name}"}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			_, code, err := run(t, "fetch", "--url", tc.url, "--out", filepath.Join(dir, "openapi.json"))
			if code != 2 || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("exit %d, error %v; want 2 and %q", code, err, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files written: %v", entries)
			}
		})
	}
}

func TestAPIDiff(t *testing.T) {
	const old, new = "../../../spec/drift/testdata/apidiff/old", "../../../spec/drift/testdata/apidiff/new"
	out, code, err := run(t, "apidiff", old, new)
	if err != nil || code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	if !strings.Contains(out, "major version") || !strings.Contains(out, "Removed: removed") {
		t.Errorf("output:\n%s", out)
	}
	if _, code, _ := run(t, "apidiff", old, new, "--fail-on", "incompatible"); code != 1 {
		t.Errorf("--fail-on incompatible: exit %d, want 1", code)
	}
	if _, code, _ := run(t, "apidiff", t.TempDir(), new); code != 2 {
		t.Errorf("empty directory: exit %d, want 2", code)
	}
}

// BenchmarkDiffCommand is `chcloud spec diff` on two published versions of about 1.2 MB (the
// 2026-07-31 document and the vendored one), markdown report included.
func BenchmarkDiffCommand(b *testing.B) {
	vendored := filepath.Join(b.TempDir(), "openapi.json")
	if err := os.WriteFile(vendored, spec.Document(), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		cmd := speccmd.NewCommand(&cmdutil.Factory{IOStreams: &iostreams.IOStreams{Out: io.Discard, ErrOut: io.Discard}})
		cmd.SetOut(io.Discard)
		cmd.SetArgs([]string{"diff", historyFile("2026-07-31"), vendored, "--format", "markdown"})
		if err := cmd.Execute(); err != nil {
			b.Fatal(err)
		}
	}
}
