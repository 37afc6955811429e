package cloud

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// BenchmarkNormalizeList200 measures the tolerant decoding fast path on a 200-service list next
// to the json.Unmarshal it precedes.
func BenchmarkNormalizeList200(b *testing.B) {
	list := make([]string, 200)
	for i := range list {
		list[i] = realisticService(i)
	}
	body := []byte(`{"status":200,"requestId":"r","result":[` + strings.Join(list, ",") + `]}`)
	shape := responseShapeFor(http.MethodGet, "/v1/organizations/o/services", 200)
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, changed, _ := shape.normalize(body); changed {
				b.Fatal("changed")
			}
		}
	})
	b.Run("unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var env cloudapi.InstanceGetList200JSONResponseBody
			if err := json.Unmarshal(body, &env); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkBuildSchemaIndex is the first-use cost of tolerant decoding in a process: building
// the routes from the generated table and linking one answer's shape.
func BenchmarkBuildSchemaIndex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		route := buildRoutes().lookup("GET", "/v1/organizations/o/services")
		if route == nil {
			b.Fatal("no operation for GET services")
		}
		linkMu.Lock()
		linked = nil
		root := linkNode(route.responses[0].node)
		linkMu.Unlock()
		if newResponseShape(root) == nil {
			b.Fatal("no shape for GET services")
		}
	}
}
