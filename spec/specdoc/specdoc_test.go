package specdoc

import (
	"testing"

	"github.com/chcloud-dev/chcloud/spec"
)

func TestOpenAPILoadsAndValidates(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	ops, err := spec.Operations()
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	for _, op := range ops {
		paths[op.Path] = true
		item := doc.Paths.Find(op.Path)
		if item == nil || item.GetOperation(op.Method) == nil {
			t.Errorf("kin-openapi does not see %s %s (%s)", op.Method, op.Path, op.ID)
		}
	}
	if doc.Paths.Len() != len(paths) {
		t.Errorf("kin-openapi sees %d paths, the inventory %d", doc.Paths.Len(), len(paths))
	}
}

func TestOpenAPIIsLoadedOnce(t *testing.T) {
	a, errA := OpenAPI()
	b, errB := OpenAPI()
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a != b {
		t.Error("OpenAPI loaded the document twice")
	}
}
