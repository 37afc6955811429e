package cloudtest

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkRouteAndValidate measures what the fake does for every request before its handler:
// match the path to an operation and validate the request against the document.
func BenchmarkRouteAndValidate(b *testing.B) {
	s := newTestServer(b)
	org := "/v1/organizations/" + s.OrganizationID
	svc := "00000000-0000-4000-8000-000000000000"
	for _, c := range []struct{ name, method, path, body string }{
		{"get service", "GET", org + "/services/" + svc, ""},
		{"list with query", "GET", org + "/services?filter=tag:a=b", ""},
		{"pipe settings", "GET", org + "/services/" + svc + "/clickpipes/" + svc + "/settings", ""},
		{"create service", "POST", org + "/services", `{"name":"bench","provider":"aws","region":"us-east-1"}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			r := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			r.Header.Set("Content-Type", "application/json")
			b.ReportAllocs()
			for b.Loop() {
				rt, params := s.routes.match(r.Method, r.URL.EscapedPath())
				if rt == nil {
					b.Fatal("no route")
				}
				if err := validateRequest(r, []byte(c.body), rt, params); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
