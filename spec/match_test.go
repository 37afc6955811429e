package spec_test

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/spec"
)

// samplePath fills a template with a sample value per parameter, escaped.
func samplePath(op spec.Operation) (string, map[string]string) {
	want := map[string]string{}
	path := op.Path
	for _, name := range op.PathParams {
		v := "v-" + name + " /%"
		want[name] = v
		path = strings.Replace(path, "{"+name+"}", url.PathEscape(v), 1)
	}
	return path, want
}

func TestMatchEveryOperation(t *testing.T) {
	ops, err := spec.Operations()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		path, want := samplePath(op)
		got, params, ok := spec.Match(op.Method, path)
		if !ok || got.ID != op.ID {
			t.Errorf("%s %s: matched %q (ok %v), want %s", op.Method, path, got.ID, ok, op.ID)
			continue
		}
		if len(want) == 0 && params != nil {
			t.Errorf("%s: params %v, want nil", op.ID, params)
		}
		for k, v := range want {
			if params[k] != v {
				t.Errorf("%s: param %s = %q, want %q", op.ID, k, params[k], v)
			}
		}
		if len(params) != len(want) {
			t.Errorf("%s: params %v, want %v", op.ID, params, want)
		}
		// The template itself matches too, with each placeholder as the value.
		if got, _, ok := spec.Match(op.Method, op.Path); !ok || got.ID != op.ID {
			t.Errorf("%s: its own template matched %q (ok %v)", op.ID, got.ID, ok)
		}
		if !slices.Contains(defaultMethods(t, path), op.Method) {
			t.Errorf("%s: Methods(%s) lacks %s", op.ID, path, op.Method)
		}
	}
}

func testOps() []spec.Operation {
	op := func(id, method, path string) spec.Operation {
		o := spec.Operation{ID: id, Method: method, Path: path}
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") {
				o.PathParams = append(o.PathParams, strings.Trim(seg, "{}"))
			}
		}
		return o
	}
	return []spec.Operation{
		op("get", "GET", "/v1/orgs/{orgId}/services/{serviceId}"),
		op("patch", "PATCH", "/v1/orgs/{orgId}/services/{serviceId}"),
		op("query", "GET", "/v1/orgs/{orgId}/services/query"),
		op("create", "POST", "/v1/orgs/{orgId}/services"),
		op("list", "GET", "/v1/orgs/{orgId}/services"),
		op("deep", "GET", "/v1/orgs/{orgId}/services/{serviceId}/keys/{keyId}"),
	}
}

func TestMatchLiteralWins(t *testing.T) {
	m := spec.NewMatcher(testOps())
	for _, c := range []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/v1/orgs/o/services/query", "query", map[string]string{"orgId": "o"}},
		// The literal branch has no PATCH: the parameter branch answers.
		{"PATCH", "/v1/orgs/o/services/query", "patch", map[string]string{"orgId": "o", "serviceId": "query"}},
		{"GET", "/v1/orgs/o/services/s", "get", map[string]string{"orgId": "o", "serviceId": "s"}},
		{"GET", "/v1/orgs/o%2Fx/services/s/keys/k%20y", "deep", map[string]string{"orgId": "o/x", "serviceId": "s", "keyId": "k y"}},
		{"GET", "/v1/orgs/o/services/", "", nil},    // empty parameter
		{"GET", "/v1/orgs//services/s", "", nil},    // empty parameter
		{"GET", "/v1/orgs/o/services/%zz", "", nil}, // does not unescape
		{"DELETE", "/v1/orgs/o/services/s", "", nil},
		{"GET", "/v1/orgs/o/services/s/keys", "", nil},
		{"GET", "/v1/orgs/o", "", nil},
		{"GET", "/", "", nil},
		{"GET", "", "", nil},
	} {
		op, params, ok := m.Match(c.method, c.path)
		if ok != (c.want != "") || op.ID != c.want {
			t.Errorf("%s %s: %q (ok %v), want %q", c.method, c.path, op.ID, ok, c.want)
			continue
		}
		if c.want != "" && !maps.Equal(params, c.params) {
			t.Errorf("%s %s: params %v, want %v", c.method, c.path, params, c.params)
		}
	}
}

func TestMatchTrailingSlash(t *testing.T) {
	strict := spec.NewMatcher(testOps())
	if _, _, ok := strict.Match("POST", "/v1/orgs/o/services/"); ok {
		t.Error("strict: a trailing slash matched")
	}
	m := spec.NewMatcher(testOps(), spec.WithTrailingSlash(func(op spec.Operation) bool { return op.ID == "create" }))
	if op, params, ok := m.Match("POST", "/v1/orgs/o/services/"); !ok || op.ID != "create" || params["orgId"] != "o" {
		t.Errorf("create with a trailing slash: %q %v %v", op.ID, params, ok)
	}
	if op, _, ok := m.Match("POST", "/v1/orgs/o/services"); !ok || op.ID != "create" {
		t.Errorf("create without: %q %v", op.ID, ok)
	}
	if _, _, ok := m.Match("GET", "/v1/orgs/o/services/"); ok {
		t.Error("list with a trailing slash matched; only create accepts one")
	}
	if _, _, ok := m.Match("POST", "/v1/orgs/o/services//"); ok {
		t.Error("two trailing slashes matched")
	}
}

func TestMatcherMethods(t *testing.T) {
	m := spec.NewMatcher(testOps())
	if got := m.Methods("/v1/orgs/o/services/s"); !slices.Equal(got, []string{"GET", "PATCH"}) {
		t.Errorf("Methods = %v", got)
	}
	if got := m.Methods("/v1/orgs/o/services/query"); !slices.Equal(got, []string{"GET", "PATCH"}) {
		t.Errorf("Methods(query) = %v", got)
	}
	if got := m.Methods("/v1/nothing"); got != nil {
		t.Errorf("Methods(nothing) = %v", got)
	}
}

func BenchmarkMatch(b *testing.B) {
	m, err := spec.DefaultMatcher()
	if err != nil {
		b.Fatal(err)
	}
	path := "/v1/organizations/org-1/services/svc-1/clickpipes/pipe-1/settings"
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := m.MatchIndex("GET", path); !ok {
			b.Fatal("no match")
		}
	}
}

func defaultMethods(t *testing.T, path string) []string {
	t.Helper()
	m, err := spec.DefaultMatcher()
	if err != nil {
		t.Fatal(err)
	}
	return m.Methods(path)
}
