package findings

import (
	"testing"

	"github.com/chcloud-dev/chcloud/spec"
)

func TestEveryOperationHasADecoder(t *testing.T) {
	ops, err := spec.Operations()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if GeneratedDecoders()[op.ID] == nil {
			t.Errorf("no decoder for %s: run make generate (go run ./gen/cmd/generate)", op.ID)
		}
	}
	if len(GeneratedDecoders()) != len(ops) {
		t.Errorf("%d decoders for %d operations", len(GeneratedDecoders()), len(ops))
	}
}
