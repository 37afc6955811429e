package drift_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/spec/drift"
)

func TestCompareGoAPI(t *testing.T) {
	r, err := drift.CompareGoAPI(context.Background(), "testdata/apidiff/old", "testdata/apidiff/new")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(r.Incompatible, "Removed: removed") {
		t.Errorf("incompatible = %v, want Removed: removed", r.Incompatible)
	}
	if !slices.ContainsFunc(r.Incompatible, func(s string) bool { return strings.HasPrefix(s, "Service.Replicas: changed from int to float64") }) {
		t.Errorf("incompatible = %v, want the Service.Replicas type change", r.Incompatible)
	}
	if !slices.Equal(r.Compatible, []string{"Added: added"}) {
		t.Errorf("compatible = %v, want [Added: added]", r.Compatible)
	}
	if r.Bump() != "major" || !strings.Contains(r.Advice(), "major version") {
		t.Errorf("bump %q, advice %q; want major", r.Bump(), r.Advice())
	}
	var out bytes.Buffer
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Incompatible changes (2)") {
		t.Errorf("text report:\n%s", out.String())
	}

	same, err := drift.CompareGoAPI(context.Background(), "testdata/apidiff/new", "testdata/apidiff/new")
	if err != nil {
		t.Fatal(err)
	}
	if len(same.Incompatible)+len(same.Compatible) != 0 || same.Bump() != "patch" {
		t.Errorf("a package against itself: %+v", same)
	}
	added, err := drift.CompareGoAPI(context.Background(), "testdata/apidiff/new", "testdata/apidiff/old")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(added.Compatible, "Removed: added") {
		t.Errorf("reversed comparison compatible = %v", added.Compatible)
	}
}

func TestCompareGoAPI_BadDirectory(t *testing.T) {
	if _, err := drift.CompareGoAPI(context.Background(), t.TempDir(), "testdata/apidiff/new"); err == nil || !strings.Contains(err.Error(), "no Go files") {
		t.Errorf("error = %v, want no Go files", err)
	}
}
