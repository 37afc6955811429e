package cloudtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// call sends one request straight to the handler (no network) with the server's admin key.
func call(t testing.TB, s *Server, method, path string, body any) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetBasicAuth(s.KeyID, s.KeySecret)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	resp := rec.Result()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// mustResult calls and decodes the envelope's result, failing unless the status is want.
func mustResult(t testing.TB, s *Server, want int, method, path string, body any) map[string]any {
	t.Helper()
	resp, raw := call(t, s, method, path, body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	var env struct {
		Result map[string]any `json:"result"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("%s %s: %v: %s", method, path, err, raw)
	}
	return env.Result
}

func newTestServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := newServer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
