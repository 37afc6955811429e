package drift_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/spec/drift"
)

// tinyDocument is a small valid OpenAPI document, so fetch tests stay fast.
const tinyDocument = `{
  "openapi": "3.1.0",
  "info": {"title": "tiny", "version": "1.0", "contact": {"url": "https://example.com/docs?referrer=openapi-1"}},
  "paths": {
    "/v1/organizations/{organizationId}": {
      "get": {
        "operationId": "organizationGet",
        "parameters": [{"name": "organizationId", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
      }
    }
  }
}`

const existingSource = `url: https://api.clickhouse.cloud/v1
published: 2026-09-05
fetched-from: a public copy
sha256: 0000
bytes: 1
`

// serve answers every request with status, content type and body.
func serve(t *testing.T, status int, contentType, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// closedPort returns a loopback URL on which nothing listens.
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

// badInputs are documents every command must refuse, with words the error must contain.
func badInputs(t *testing.T) []struct {
	name, url string
	want      []string
} {
	invalid := strings.Replace(tinyDocument, `"200": {`, `"ok": {`, 1)
	return []struct {
		name, url string
		want      []string
	}{
		{"unreachable", closedPort(t), []string{"cannot download", "refused"}},
		{"not JSON", serve(t, 200, "application/json", `{"openapi": "3.1.0", "paths": {`), []string{"not JSON", "line 1"}},
		{"HTML error page", serve(t, 200, "text/html", `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>oops</body></html>`), []string{"HTML", "502 Bad Gateway"}},
		{"HTML 404", serve(t, 404, "text/html", `<html><head><title>Not Found</title></head></html>`), []string{"404", "Not Found"}},
		{"JSON not OpenAPI", serve(t, 200, "application/json", `{"status": 200, "result": []}`), []string{"not an OpenAPI 3 document"}},
		{"responses keyed by a word", serve(t, 200, "application/json", invalid), []string{"invalid OpenAPI", `response key "ok"`, "GET /v1/organizations/{organizationId}"}},
	}
}

func TestLoad_BadInputsGiveClearInputErrors(t *testing.T) {
	for _, tc := range badInputs(t) {
		t.Run(tc.name, func(t *testing.T) {
			_, err := drift.Load(context.Background(), tc.url, nil)
			var input *drift.InputError
			if !errors.As(err, &input) {
				t.Fatalf("error = %v (%T), want *drift.InputError", err, err)
			}
			t.Log(err)
			if input.Source != tc.url {
				t.Errorf("error names %q, want the source %q", input.Source, tc.url)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}

func TestLoad_MissingFile(t *testing.T) {
	_, err := drift.Load(context.Background(), filepath.Join(t.TempDir(), "nope.json"), nil)
	var input *drift.InputError
	if !errors.As(err, &input) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("error = %v, want an InputError saying the file does not exist", err)
	}
}

func TestLoad_Timeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	_, err := drift.Load(context.Background(), srv.URL, &http.Client{Timeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("error = %v, want a timeout", err)
	}
}

func TestFetch_WritesDocumentAndSource(t *testing.T) {
	dir := t.TempDir()
	out, source := filepath.Join(dir, "openapi.json"), filepath.Join(dir, "SOURCE")
	if err := os.WriteFile(source, []byte(existingSource), 0o644); err != nil {
		t.Fatal(err)
	}
	url := serve(t, 200, "application/json", tinyDocument)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

	res, err := drift.Fetch(context.Background(), drift.FetchOptions{URL: url, Out: out, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.Previous != "" {
		t.Errorf("result = changed %v, previous %q; want a new document", res.Changed, res.Previous)
	}
	written, err := os.ReadFile(out)
	if err != nil || string(written) != tinyDocument {
		t.Fatalf("document not written byte for byte (err %v)", err)
	}
	sum := sha256.Sum256([]byte(tinyDocument))
	raw, _ := os.ReadFile(source)
	fields := drift.ParseSource(string(raw))
	want := map[string]string{
		"url": url, "published": "2026-11-25", "sha256": hex.EncodeToString(sum[:]), "bytes": strconv.Itoa(len(tinyDocument)),
	}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("SOURCE %s = %q, want %q", k, fields[k], v)
		}
	}
	if !strings.HasPrefix(string(raw), "url: ") || !strings.Contains(fields["fetched-from"], url) {
		t.Errorf("SOURCE lost its format or order:\n%s", raw)
	}
	assertNoTempFiles(t, dir)

	// The vendored document is read-only (0444), so that editors refuse to change it by accident:
	// fetch replaces it all the same and keeps the mode.
	if err := os.Chmod(out, 0o444); err != nil {
		t.Fatal(err)
	}
	changed := serve(t, 200, "application/json", strings.Replace(tinyDocument, `"title": "tiny"`, `"title": "tiny 2"`, 1))
	if res, err := drift.Fetch(context.Background(), drift.FetchOptions{URL: changed, Out: out}); err != nil || !res.Changed {
		t.Fatalf("fetch over a read-only document = %+v, %v", res, err)
	}
	if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o444 {
		t.Errorf("mode after fetch = %v (%v), want 0444 kept", info.Mode(), err)
	}

	again, err := drift.Fetch(context.Background(), drift.FetchOptions{URL: changed, Out: out})
	if err != nil || again.Changed || again.Previous != again.Document.SHA256 {
		t.Errorf("second fetch = %+v, %v; want unchanged", again, err)
	}
}

func TestFetch_RefusesBadDocumentsAndWritesNothing(t *testing.T) {
	colon := colonVersion([]byte(tinyDocument))
	cases := badInputs(t)
	cases = append(cases, struct {
		name, url string
		want      []string
	}{"colon paths", serve(t, 200, "application/json", string(colon)), []string{"code generator cannot use", "/v1/organizations/:organizationId"}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out, source := filepath.Join(dir, "openapi.json"), filepath.Join(dir, "SOURCE")
			if err := os.WriteFile(source, []byte(existingSource), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := drift.Fetch(context.Background(), drift.FetchOptions{URL: tc.url, Out: out})
			var input *drift.InputError
			if !errors.As(err, &input) {
				t.Fatalf("error = %v, want *drift.InputError", err)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the document was written (stat: %v)", err)
			}
			if raw, _ := os.ReadFile(source); string(raw) != existingSource {
				t.Errorf("SOURCE changed:\n%s", raw)
			}
			assertNoTempFiles(t, dir)
		})
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}
