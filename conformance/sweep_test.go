package conformance

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/cloudtest"
)

func TestSweepDeletesOnlyPrefixedItems(t *testing.T) {
	fake := cloudtest.NewServer(cloudtest.WithProvisioningDelay(0), cloudtest.WithTransitionDelay(0), cloudtest.WithDeleteCooldown(0))
	defer fake.Close()
	cfg := Config{Mode: Live, Mutate: true, BaseURL: fake.URL, KeyID: fake.KeyID, KeySecret: fake.KeySecret, RunPrefix: NamePrefix + "left01"}
	ctx := context.Background()
	s := NewLiveSession(ctx, cfg, nil)
	if err := Setup(s); err != nil { // creates chcconfleft01svc, as a killed run would leave it
		t.Fatal(err)
	}
	if _, err := s.Must("openapiKeyCreate", Request{Params: s.params(), Body: map[string]any{"name": cfg.Name("key"), "roles": []string{"developer"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Must("instanceCreate", Request{Params: s.params(), Body: serviceBody("production")}); err != nil {
		t.Fatal(err)
	}

	if _, err := Sweep(s, "prod", false, &bytes.Buffer{}); err == nil {
		t.Error("a prefix outside the suite's names was accepted")
	}
	var out bytes.Buffer
	n, err := Sweep(s, NamePrefix, true, &out)
	if err != nil || n != 2 {
		t.Fatalf("dry run: %d matched, err %v, want 2:\n%s", n, err, out.String())
	}
	if got := names(t, s); !strings.Contains(got, cfg.Name("svc")) {
		t.Fatalf("dry run deleted the service: %s", got)
	}
	out.Reset()
	if n, err := Sweep(s, NamePrefix, false, &out); err != nil || n != 2 {
		t.Fatalf("sweep: %d matched, err %v, want 2:\n%s", n, err, out.String())
	}
	got := names(t, s)
	if strings.Contains(got, NamePrefix) || !strings.Contains(got, "production") {
		t.Errorf("after the sweep: %s; want only the unprefixed service", got)
	}
	if n, err := Sweep(s, NamePrefix, false, &out); err != nil || n != 0 {
		t.Errorf("second sweep matched %d (err %v), want 0", n, err)
	}
}

// names lists the names of services and keys.
func names(t *testing.T, s *Session) string {
	t.Helper()
	var all []string
	for _, id := range []string{"instanceGetList", "openapiKeyGetList"} {
		x, err := s.Must(id, Request{Params: s.params()})
		if err != nil {
			t.Fatal(err)
		}
		var items []map[string]any
		if err := x.Result(&items); err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			all = append(all, field(it, "name"))
		}
	}
	return strings.Join(all, ",")
}
