package main

import (
	"strings"
	"testing"
)

// TestGenerate: the routes of the document's operations (not its other path item keys), each
// declared JSON answer's root node, and a recursive schema written once, linking to itself.
func TestGenerate(t *testing.T) {
	doc := `{"paths":{"/v1/things/{id}":{"parameters":[],"get":{"responses":{
		"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Thing"}}}},
		"default":{"content":{"application/json":{"schema":{"type":"string"}}}},
		"4XX":{"content":{"application/json":{"schema":{"type":"string"}}}}}}}},
		"components":{"schemas":{"Thing":{"type":"object","properties":{
			"createdAt":{"type":"string","format":"date-time"},"parent":{"$ref":"#/components/schemas/Thing"}}}}}}`
	out, err := generate([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{
		`{"GET", "/v1/things/{id}", []generatedResponse{{200, 0}, {-1, 2}}},`,
		`0: {0, kindObject, 0, -1, -1, []generatedProp{{"createdAt", 1}, {"parent", 0}}},`,
		`1: {nodeAllowsString, kindString, formatDateTime, -1, -1, nil},`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "parameters") || strings.Contains(got, "PARAMETERS") {
		t.Errorf("a path item key that is not an operation became a route:\n%s", got)
	}
}
