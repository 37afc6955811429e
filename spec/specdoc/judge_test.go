package specdoc

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func component(t *testing.T, name string) *openapi3.Schema {
	t.Helper()
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	ref := doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		t.Fatalf("no component schema %s", name)
	}
	return ref.Value
}

func decode(t *testing.T, body string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// summary renders problems as "path keyword" lines, the shape the tests compare.
func summary(root any, ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, JSONPath(root, p.Pointer)+" "+p.Keyword)
	}
	slices.Sort(out)
	return out
}

const metricSource = `{"id":"6a1f0c3e-8f5a-4e1b-9c2d-1e2f3a4b5c6d","name":"metrics","kind":"metric","connection":"c1",
 "from":{"databaseName":"otel","tableName":""},"timestampValueExpression":"TimeUnix",
 "resourceAttributesExpression":"ResourceAttributes",
 "metricTables":{"gauge":"otel_metrics_gauge","sum":"otel_metrics_sum","histogram":"otel_metrics_histogram"}}`

func TestJudgePicksTheFormByItsTagProperty(t *testing.T) {
	j := NewJudge()
	src := component(t, "ClickStackSource")

	v := decode(t, metricSource)
	if got := j.Check(src, v); len(got) != 0 {
		t.Fatalf("a valid metric source: %v", summary(v, got))
	}

	// Without metricTables: only the metric form's requirement, named as that form's.
	broken := decode(t, strings.Replace(metricSource, `"metricTables"`, `"metricTablesX"`, 1))
	got := j.Check(src, broken)
	if want := []string{"$.metricTables required"}; !slices.Equal(summary(broken, got), want) {
		t.Fatalf("got %v, want %v", summary(broken, got), want)
	}
	if f := got[0].Form; f == nil || f.Name != "ClickStackMetricSource" || f.By != "kind" || f.ByValue != "metric" {
		t.Fatalf("form %+v, want ClickStackMetricSource chosen by kind", got[0].Form)
	}
	lines := Describe(got)
	if len(lines) != 1 || !strings.Contains(lines[0], `chosen at / by kind "metric"`) || strings.Contains(lines[0], "log") {
		t.Fatalf("Describe: %q", lines)
	}

	// A kind no form has: one problem, at kind, naming every kind.
	unknown := decode(t, strings.Replace(metricSource, `"kind":"metric"`, `"kind":"profile"`, 1))
	got = j.Check(src, unknown)
	if want := []string{"$.kind enum"}; !slices.Equal(summary(unknown, got), want) {
		t.Fatalf("got %v, want %v", summary(unknown, got), want)
	}
	for _, k := range []string{"log", "metric", "trace", "session"} {
		if !strings.Contains(got[0].Reason, k) {
			t.Errorf("reason %q does not list %s", got[0].Reason, k)
		}
	}
}

func TestJudgeGenericWebhookIsNotToldItMustBeSlack(t *testing.T) {
	j := NewJudge()
	hook := component(t, "ClickStackWebhook")
	v := decode(t, `{"id":"w1","name":"ops","service":"generic","url":"https://example.com/hook",
		"updatedAt":"2026-01-01T00:00:00Z","createdAt":"2026-01-01T00:00:00Z"}`)
	if got := j.Check(hook, v); len(got) != 0 {
		t.Errorf("a valid generic webhook: %v", summary(v, got))
	}
	// Without createdAt, only the generic form's own rule may be named.
	delete(v.(map[string]any), "createdAt")
	problems := j.Check(hook, v)
	if want := []string{"$.createdAt required"}; !slices.Equal(summary(v, problems), want) {
		t.Errorf("got %v, want %v", summary(v, problems), want)
	}
	for _, p := range problems {
		if strings.Contains(p.Reason, "slack") || p.Form == nil || p.Form.ByValue != "generic" {
			t.Errorf("problem judged against another form: %s %s (%v)", JSONPath(v, p.Pointer), p.Reason, p.Form)
		}
	}
}

func TestJudgeNullableUnionHoldingAnObject(t *testing.T) {
	j := NewJudge()
	source := component(t, "ClickPipeSource")
	v := decode(t, `{"kafka":{"type":"confluent","format":"JSONEachRow","brokers":"b:9092","topics":"t",
		"authentication":"PLAIN","reversePrivateEndpointIds":null}}`)
	got := summary(v, j.Check(source, v))
	if want := []string{"$.kafka.reversePrivateEndpointIds null"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v (no type-mismatch against the null form)", got, want)
	}
	if got := j.Check(source, decode(t, `{"kafka":null}`)); len(got) != 0 {
		t.Fatalf("null goes to the null form: %v", got)
	}
}

func TestJudgeNamesTheBrokenRules(t *testing.T) {
	j := NewJudge(AsRequest())
	pw := component(t, "pgPassword")
	got := Describe(j.Check(pw, "abcdefghijklmnop"))
	if len(got) != 1 || got[0] != "needs an upper-case letter and a digit" {
		t.Fatalf("got %q", got)
	}
	got = Describe(j.Check(pw, "aB1"))
	if len(got) != 1 || !strings.Contains(got[0], "at least 12 characters") || strings.Contains(got[0], "allOf") {
		t.Fatalf("got %q", got)
	}
}

func TestJudgeKeepsArrayIndices(t *testing.T) {
	j := NewJudge(Strict())
	list := &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
		"result": {Value: &openapi3.Schema{Type: &openapi3.Types{"array"}, Items: &openapi3.SchemaRef{Value: &openapi3.Schema{
			Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
				"createdAt": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "date-time"}},
			}}}}},
	}}
	v := decode(t, `{"result":[{"createdAt":"2026-01-01T00:00:00Z"},{"createdAt":"2026-01-01T00:00:00Z"},
		{"createdAt":"2026-01-01T00:00:00Z"},{"createdAt":"yesterday","extra":1}]}`)
	got := summary(v, j.Check(list, v))
	if want := []string{"$.result[3].createdAt format", "$.result[3].extra undeclared"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestJudgeClosestFormWithoutTag(t *testing.T) {
	j := NewJudge(AsRequest())
	// Two forms told apart only by their fields: the value is judged against the one it is closest to.
	s := &openapi3.Schema{OneOf: openapi3.SchemaRefs{
		{Ref: "#/components/schemas/A", Value: &openapi3.Schema{Type: &openapi3.Types{"object"}, Required: []string{"a", "b"},
			Properties: openapi3.Schemas{"a": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}}, "b": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}}}}},
		{Ref: "#/components/schemas/X", Value: &openapi3.Schema{Type: &openapi3.Types{"object"}, Required: []string{"x", "y", "z"},
			Properties: openapi3.Schemas{"x": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}}}}},
	}}
	v := decode(t, `{"a":"1","b":2}`)
	got := j.Check(s, v)
	if want := []string{"$.b type"}; !slices.Equal(summary(v, got), want) {
		t.Fatalf("got %v, want %v", summary(v, got), want)
	}
	if got[0].Form == nil || got[0].Form.Name != "A" || !got[0].Form.Closest {
		t.Fatalf("form %+v", got[0].Form)
	}
}

func TestRequestBodyMustBeAnObject(t *testing.T) {
	for _, body := range []string{`[]`, `"x"`, `5`, `null`} {
		v, err := CheckRequestBody("instanceCreate", []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if v.OK() || !strings.Contains(Describe(v.Problems)[0], "declared object") {
			t.Errorf("body %s: %+v", body, v.Problems)
		}
	}
}
