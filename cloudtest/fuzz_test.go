package cloudtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequestPath sends arbitrary methods, paths, queries and bodies: the server must never
// panic and never answer 5xx (no fault is configured), whatever the input.
func FuzzRequestPath(f *testing.F) {
	s := newTestServer(f)
	org := "/v1/organizations/" + s.OrganizationID
	for _, seed := range []struct{ method, path, body string }{
		{"GET", "/v1/organizations", ""},
		{"GET", org + "/services/00000000-0000-4000-8000-000000000000", ""},
		{"POST", org + "/services", `{"name":"x","provider":"aws","region":"us-east-1"}`},
		{"PATCH", org + "/services/00000000-0000-4000-8000-000000000000/state", `{"command":"stop"}`},
		{"POST", org + "/keys", `{"name":"k","roles":["admin"]}`},
		{"POST", org + "/postgres", `{"name":"p","provider":"aws","region":"us-east-1","size":"x"}`},
		{"GET", org + "/usageCost?from_date=2026-01-01&to_date=2026-01-31", ""},
		{"GET", org + "/services?filter=tag:a=b&filter=tag:c", ""},
		{"DELETE", org + "/keys/%zz", ""},
		{"PUT", "/v1/../../etc/passwd", "\x00"},
		{"GET", org + "/services/%2F..%2F/backups", ""},
		{"POST", org + "/invitations", `{"email":"A@B.C"}`},
		{"PATCH", org, `{"name":null,"privateEndpoints":{"add":[{}]}}`},
	} {
		f.Add(seed.method, seed.path, seed.body)
	}
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(method, "http://fake"+path, strings.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		req.RequestURI = path
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(s.KeyID, s.KeySecret)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d: %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Header().Get(HeaderFake) != Version {
			t.Fatalf("no %s header", HeaderFake)
		}
	})
}
