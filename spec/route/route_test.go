package route_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/chcloud-dev/chcloud/spec/route"
)

var templates = []route.Template{
	{"GET", "/v1/organizations/{organizationId}/services"},
	{"POST", "/v1/organizations/{organizationId}/services"},
	{"GET", "/v1/organizations/{organizationId}/services/{serviceId}"},
	{"GET", "/v1/organizations/{organizationId}/services/query"},
	{"DELETE", "/v1/organizations/{organizationId}/services/{serviceId}"},
}

func TestMatch(t *testing.T) {
	m := route.New(templates)
	cases := []struct {
		method, path string
		want         int // -1: no match
		params       map[string]string
	}{
		{"GET", "/v1/organizations/o1/services", 0, map[string]string{"organizationId": "o1"}},
		{"POST", "/v1/organizations/o1/services", 1, map[string]string{"organizationId": "o1"}},
		{"GET", "/v1/organizations/o1/services/query", 3, map[string]string{"organizationId": "o1"}},                          // literal wins
		{"DELETE", "/v1/organizations/o1/services/query", 4, map[string]string{"organizationId": "o1", "serviceId": "query"}}, // falls back to the parameter
		{"GET", "/v1/organizations/o%2F1/services/s%20x", 2, map[string]string{"organizationId": "o/1", "serviceId": "s x"}},
		{"GET", "/v1/organizations//services", -1, nil},       // empty parameter
		{"GET", "/v1/organizations/%zz/services", -1, nil},    // does not unescape
		{"GET", "/v1/organizations/o1/services/", -1, nil},    // trailing slash not accepted by default
		{"PUT", "/v1/organizations/o1/services", -1, nil},     // no such method
		{"GET", "/v1/organizations/o1/services/s/x", -1, nil}, // too long
	}
	for _, c := range cases {
		i, ok := m.Match(c.method, c.path)
		if c.want < 0 {
			if ok {
				t.Errorf("%s %s matched %v, want no match", c.method, c.path, templates[i])
			}
			continue
		}
		if !ok || i != c.want {
			t.Errorf("%s %s = %d, %v; want %d", c.method, c.path, i, ok, c.want)
			continue
		}
		if got := m.Params(i, c.path); !maps.Equal(got, c.params) {
			t.Errorf("%s %s params = %v, want %v", c.method, c.path, got, c.params)
		}
	}
}

func TestTrailingSlashByTemplate(t *testing.T) {
	m := route.New(templates, route.WithTrailingSlash(func(i int) bool { return templates[i].Method == "POST" }))
	if i, ok := m.Match("POST", "/v1/organizations/o1/services/"); !ok || i != 1 {
		t.Errorf("POST with a trailing slash = %d, %v; want 1 (accepted for POST)", i, ok)
	}
	if _, ok := m.Match("GET", "/v1/organizations/o1/services/"); ok {
		t.Error("GET with a trailing slash matched; only POST accepts one")
	}
}

func TestMethods(t *testing.T) {
	m := route.New(templates)
	if got := m.Methods("/v1/organizations/o1/services/query"); !slices.Equal(got, []string{"GET", "DELETE"}) {
		t.Errorf("Methods(query) = %v, want [GET DELETE] in template order", got)
	}
	if got := m.Methods("/v1/nothing"); got != nil {
		t.Errorf("Methods(/v1/nothing) = %v, want nil", got)
	}
}

// The SDK matches every answer it decodes, so matching must not allocate.
func TestMatchAllocatesNothing(t *testing.T) {
	m := route.New(templates)
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := m.Match("GET", "/v1/organizations/o1/services/s1"); !ok {
			t.Fatal("no match")
		}
	})
	if allocs != 0 {
		t.Errorf("Match allocates %.0f times per call, want 0", allocs)
	}
}
