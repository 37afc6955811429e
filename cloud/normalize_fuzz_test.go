package cloud

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// FuzzNormalize feeds arbitrary bodies to the tolerant decoder for the service list and service
// answers. It must never panic or touch its input, must keep valid JSON valid, and may only add
// quotation marks (around numbers): removing every '"' from input and output gives the same
// bytes. Invalid JSON may be rewritten too (the walker does not check every byte of a string);
// the decoder then reports it as it would have anyway.
func FuzzNormalize(f *testing.F) {
	f.Add([]byte(`{"status":200,"requestId":"r","result":[` + realisticService(1) + `]}`))
	f.Add([]byte(`{"status":200,"result":{"id":"s","name":42,"clickhouseVersion":25.8,"tags":[{"key":1,"value":2}]}}`))
	f.Add([]byte(`{"result":[{"name":-1e5},{"name":"x"},{"region":0}]}`))
	f.Add([]byte(`{"result":{"name":"a\"b\\","endpoints":[{"host":7,"port":"9440"}]}}`))
	f.Add([]byte(`{"result":[1,2,{"name":3}`))
	f.Add([]byte(`[]`))
	list := responseShapeFor(http.MethodGet, "/v1/organizations/o/services", 200)
	one := responseShapeFor(http.MethodGet, "/v1/organizations/o/services/s", 200)
	if list == nil || one == nil {
		f.Fatal("no response shapes for the service operations")
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, shape := range []*responseShape{list, one} {
			in := bytes.Clone(body)
			out, changed := shape.normalize(in)
			if !bytes.Equal(in, body) {
				t.Fatal("normalize modified its input")
			}
			if !changed {
				if !bytes.Equal(out, body) {
					t.Fatal("unchanged, yet the output differs from the input")
				}
				continue
			}
			if json.Valid(body) && !json.Valid(out) {
				t.Fatalf("made invalid JSON %q out of %q", out, body)
			}
			strip := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte(`"`), nil) }
			if !bytes.Equal(strip(out), strip(body)) {
				t.Fatalf("changed more than quotation marks: %q -> %q", body, out)
			}
		}
	})
}
