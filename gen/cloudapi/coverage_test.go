package cloudapi_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/spec"
)

// TestEveryOperationHasATypedMethod enumerates the embedded document, so an operation the
// generator skipped, or a new one in a refreshed document, fails here by name.
func TestEveryOperationHasATypedMethod(t *testing.T) {
	ops, err := spec.Operations()
	if err != nil {
		t.Fatal(err)
	}
	withResponses := methodSet(reflect.TypeFor[*cloudapi.ClientWithResponses]())
	plain := methodSet(reflect.TypeFor[*cloudapi.Client]())
	var missing []string
	for _, op := range ops {
		id := strings.ToLower(op.ID)
		if !withResponses[id+"withresponse"] && !withResponses[id+"withbodywithresponse"] {
			missing = append(missing, op.ID+" (ClientWithResponses)")
		}
		if !plain[id] && !plain[id+"withbody"] {
			missing = append(missing, op.ID+" (Client)")
		}
	}
	for _, m := range missing {
		t.Errorf("operation %s has no typed method", m)
	}
	if len(ops) < 100 {
		t.Errorf("only %d operations enumerated", len(ops))
	}
}

func methodSet(typ reflect.Type) map[string]bool {
	set := map[string]bool{}
	for i := range typ.NumMethod() {
		set[strings.ToLower(typ.Method(i).Name)] = true
	}
	return set
}
