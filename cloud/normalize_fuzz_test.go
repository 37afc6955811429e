package cloud

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// FuzzNormalize feeds arbitrary bodies to the tolerant decoder for the service list and service
// answers. It must never panic or touch its input and must keep valid JSON valid; its fast path
// must never pass a body in which the full walk finds something to repair; and a valid JSON
// body (without escapes, which the walker does not decode in names) must decode into the
// generated type once repaired.
func FuzzNormalize(f *testing.F) {
	f.Add([]byte(`{"status":200,"requestId":"r","result":[` + realisticService(1) + `]}`))
	f.Add([]byte(`{"status":200,"result":{"id":"s","name":42,"clickhouseVersion":25.8,"tags":[{"key":1,"value":2}]}}`))
	f.Add([]byte(`{"result":[{"name":-1e5},{"name":"x"},{"region":0}]}`))
	f.Add([]byte(`{"result":{"name":"a\"b\\","endpoints":[{"host":7,"port":"9440"}]}}`))
	f.Add([]byte(`{"result":[1,2,{"name":3}`))
	f.Add([]byte(`{"result":[{"createdAt":"yesterday","numReplicas":"3","isPrimary":1,"endpoints":{"port":2.5}}]}`))
	f.Add([]byte(`{"result":{"tags":"x","ipAccessList":[{"source":[1]}],"minTotalMemoryGb":1e40}}`))
	f.Add([]byte(`[]`))
	list := responseShapeFor(http.MethodGet, "/v1/organizations/o/services", 200)
	one := responseShapeFor(http.MethodGet, "/v1/organizations/o/services/s", 200)
	if list == nil || one == nil {
		f.Fatal("no response shapes for the service operations")
	}
	decoders := map[*responseShape]func([]byte) error{
		list: func(b []byte) error { var v cloudapi.InstanceGetList200JSONResponseBody; return json.Unmarshal(b, &v) },
		one:  func(b []byte) error { var v cloudapi.InstanceGet200JSONResponseBody; return json.Unmarshal(b, &v) },
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, shape := range []*responseShape{list, one} {
			in := bytes.Clone(body)
			out, changed, dropped := shape.normalize(in)
			if !bytes.Equal(in, body) {
				t.Fatal("normalize modified its input")
			}
			if !changed {
				if !bytes.Equal(out, body) || dropped != nil {
					t.Fatal("unchanged, yet the output differs from the input")
				}
			}
			w := walker{data: body}
			walked := w.value(shape.root, false)
			if walked && len(w.edits) > 0 && !changed {
				t.Fatalf("the fast path passed %q, the walk repairs it", body)
			}
			if !json.Valid(body) {
				continue
			}
			if !json.Valid(out) {
				t.Fatalf("made invalid JSON %q out of %q", out, body)
			}
			if bytes.IndexByte(body, '\\') < 0 && decoders[shape](body) != nil {
				if err := decoders[shape](out); err != nil && !foldedName(shape, body) {
					t.Fatalf("repaired %q into %q, which does not decode: %v", body, out, err)
				}
			}
		}
	})
}

// foldedName reports whether body has a property name that encoding/json would match to a
// declared one only case-insensitively (the walker matches names exactly).
func foldedName(shape *responseShape, body []byte) bool {
	declared := map[string]bool{}
	seen := map[*schemaNode]bool{}
	var collect func(n *schemaNode)
	collect = func(n *schemaNode) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		for _, p := range n.props {
			declared[p.name] = true
			collect(p.node)
		}
		collect(n.items)
		collect(n.additional)
	}
	collect(shape.root)
	var v any
	_ = json.Unmarshal(body, &v)
	var visit func(v any) bool
	visit = func(v any) bool {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				if !declared[k] {
					for d := range declared {
						if strings.EqualFold(d, k) {
							return true
						}
					}
				}
				if visit(c) {
					return true
				}
			}
		case []any:
			for _, c := range v {
				if visit(c) {
					return true
				}
			}
		}
		return false
	}
	return visit(v)
}
