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

// FuzzObjectMembers: the index's scanner never panics, and on a valid JSON object it finds the
// members encoding/json finds, with the same values.
func FuzzObjectMembers(f *testing.F) {
	f.Add([]byte(`{"a":{"b":[1,"x\"]"]},"c":"d","e":null}`))
	f.Add([]byte(` { "k" : [ ] , "l" : -1.5e3 } `))
	f.Add([]byte(`{"a":`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		members, err := objectMembers(data)
		var want map[string]json.RawMessage
		if json.Unmarshal(data, &want) != nil || want == nil {
			return // not a JSON object: only "no panic" is asked
		}
		if err != nil {
			t.Fatalf("objectMembers(%q): %v, encoding/json reads it", data, err)
		}
		if len(members) != len(want) {
			t.Fatalf("objectMembers(%q) found %d members, encoding/json %d", data, len(members), len(want))
		}
		for k, v := range want {
			var a, b bytes.Buffer
			if json.Compact(&a, members[k]) != nil || json.Compact(&b, v) != nil || a.String() != b.String() {
				t.Fatalf("member %q = %q, encoding/json says %q", k, members[k], v)
			}
		}
	})
}
