package drift_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/spec/drift"
)

// render301 writes a 3.1 document the way an OpenAPI 3.0.1 document says the same thing, as
// ClickHouse published it until March 2026: `type: [T, "null"]` becomes `type: T` with
// `nullable: true`; a oneOf or anyOf with a `{type: "null"}` branch loses that branch and gains
// `nullable: true` (a lone $ref branch is written `allOf: [{$ref}]`, a lone inline branch is
// merged into its parent); `const` becomes a one-value `enum`, `examples` an `example`, and a
// numeric exclusiveMinimum/Maximum a minimum/maximum with the boolean. It knows which JSON
// objects are schemas from where they stand, so a property named "type" is not read as the
// keyword. It is written independently of the package's normaliser, so the test does not check
// the normaliser against itself.
func render301(t testing.TB, raw []byte) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	doc["openapi"] = "3.0.1"
	delete(doc, "jsonSchemaDialect")
	walk30(doc, false)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	schemaMaps  = []string{"properties", "patternProperties", "$defs", "dependentSchemas"}
	schemaOnes  = []string{"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"}
	schemaLists = []string{"allOf", "anyOf", "oneOf", "prefixItems"}
)

func walk30(v any, isSchema bool) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			walk30(e, false)
		}
	case map[string]any:
		if !isSchema {
			for k, e := range v {
				switch {
				case k == "schema":
					walk30(e, true)
				case k == "schemas":
					if m, ok := e.(map[string]any); ok {
						for _, s := range m {
							walk30(s, true)
						}
					}
				case k == "example" || k == "examples" || strings.HasPrefix(k, "x-"):
				default:
					walk30(e, false)
				}
			}
			return
		}
		for _, k := range schemaMaps {
			if m, ok := v[k].(map[string]any); ok {
				for _, s := range m {
					walk30(s, true)
				}
			}
		}
		for _, k := range schemaOnes {
			walk30(v[k], true)
		}
		for _, k := range schemaLists {
			if l, ok := v[k].([]any); ok {
				for _, s := range l {
					walk30(s, true)
				}
			}
		}
		to30(v)
	}
}

func to30(s map[string]any) {
	if types, ok := s["type"].([]any); ok && slices.Contains(types, any("null")) && len(types) > 1 {
		types = slices.DeleteFunc(slices.Clone(types), func(t any) bool { return t == "null" })
		s["nullable"] = true
		s["type"] = types
		if len(types) == 1 {
			s["type"] = types[0]
		}
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		branches, ok := s[key].([]any)
		if !ok {
			continue
		}
		kept := slices.DeleteFunc(slices.Clone(branches), func(b any) bool {
			m, ok := b.(map[string]any)
			return ok && m["type"] == "null"
		})
		if len(kept) == len(branches) {
			continue
		}
		s["nullable"] = true
		s[key] = kept
		if len(kept) != 1 {
			continue
		}
		delete(s, key)
		branch := kept[0].(map[string]any)
		if _, ref := branch["$ref"]; ref {
			s["allOf"] = kept
			continue
		}
		for k, v := range branch {
			if _, taken := s[k]; !taken {
				s[k] = v
			}
		}
	}
	if c, ok := s["const"]; ok {
		s["enum"] = []any{c}
		delete(s, "const")
	}
	if ex, ok := s["examples"].([]any); ok {
		if len(ex) > 0 {
			s["example"] = ex[0]
		}
		delete(s, "examples")
	}
	for keyword, bound := range map[string]string{"exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"} {
		if n, ok := s[keyword].(json.Number); ok {
			s[bound] = n
			s[keyword] = true
		}
	}
}

// notationCounts are the figures the issue gives for the March to April 2026 switch.
type notationCounts struct {
	typeChanges, typeEntries, nullabilityEntries, breaking int
}

func countNotation(r *drift.Report) notationCounts {
	n := notationCounts{typeChanges: len(r.Summary.TypeChanges), breaking: r.Count(drift.Breaking)}
	for _, c := range r.Changes {
		if strings.Contains(c.ID, "nullable") {
			n.nullabilityEntries++
		}
		if strings.Contains(c.ID, "type") {
			n.typeEntries++
		}
	}
	return n
}

func TestCompare_OpenAPI301RenderingOfThe31DocumentIsUnchanged(t *testing.T) {
	for _, source := range []string{"vendored", historyFile("2026-06-25")} {
		t.Run(source, func(t *testing.T) {
			doc := load(t, source)
			rendered := render301(t, doc.Raw)
			if regexp.MustCompile(`"type": \[[^\]]*"null"`).Match(rendered) || !bytes.Contains(rendered, []byte(`"nullable": true`)) {
				t.Fatal("the rendering is not in 3.0.1 notation")
			}
			old, err := drift.Parse(rendered, "rendered-3.0.1.json")
			if err != nil {
				t.Fatal(err)
			}
			for _, pair := range [][2]*drift.Document{{old, doc}, {doc, old}} {
				r, err := drift.Compare(context.Background(), pair[0], pair[1])
				if err != nil {
					t.Fatal(err)
				}
				n := countNotation(r)
				t.Logf("%s -> %s: %d type changes in the summary, %d type and %d nullability changelog entries, %d breaking, %d entries in all",
					pair[0].Source, pair[1].Source, n.typeChanges, n.typeEntries, n.nullabilityEntries, n.breaking, len(r.Changes))
				if n != (notationCounts{}) || len(r.Changes) != 0 || !r.Summary.Empty() {
					t.Errorf("notation alone reported as change: %+v; first entries %v; summary type changes %v",
						n, firstChanges(r, 5), r.Summary.TypeChanges[:min(5, len(r.Summary.TypeChanges))])
				}
				if !r.Unchanged {
					t.Errorf("want the documents reported unchanged")
				}
				var text bytes.Buffer
				if err := drift.Render(&text, r, drift.Text, drift.RenderOptions{}); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(text.String(), "No changes") || !strings.Contains(text.String(), "compared in one notation") {
					t.Errorf("the text report should say there is no change and why:\n%s", text.String())
				}
			}
		})
	}
}

// nullableBase and nullableRevision change the nullability of four response fields, in 3.1
// notation: a and c stop accepting null, b and d start (c and d through a $ref).
const nullableBase = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1.0"},
  "paths": {"/v1/things": {"get": {"operationId": "thingGet",
    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
  "components": {"schemas": {
    "Thing": {"type": "object", "properties": {
      "a": {"type": ["string", "null"]},
      "b": {"type": "string"},
      "c": {"oneOf": [{"$ref": "#/components/schemas/State"}, {"type": "null"}]},
      "d": {"$ref": "#/components/schemas/State"},
      "e": {"default": 1, "anyOf": [{"type": "integer", "exclusiveMinimum": 0}, {"type": "null"}]}
    }},
    "State": {"type": "string", "enum": ["Running", "Stopped"]}
  }}
}`

var nullableRevision = strings.NewReplacer(
	`"a": {"type": ["string", "null"]}`, `"a": {"type": "string"}`,
	`"b": {"type": "string"}`, `"b": {"type": ["string", "null"]}`,
	`"c": {"oneOf": [{"$ref": "#/components/schemas/State"}, {"type": "null"}]}`, `"c": {"$ref": "#/components/schemas/State"}`,
	`"d": {"$ref": "#/components/schemas/State"}`, `"d": {"oneOf": [{"$ref": "#/components/schemas/State"}, {"type": "null"}]}`,
).Replace(nullableBase)

// nullabilityEntries lists a report's nullability changes as "id property", sorted.
func nullabilityEntries(r *drift.Report) []string {
	var out []string
	for _, c := range r.Changes {
		if strings.Contains(c.ID, "nullable") {
			out = append(out, c.ID+" "+regexp.MustCompile("`[^`]*`").FindString(c.Text))
		}
	}
	slices.Sort(out)
	return out
}

func TestCompare_RealNullabilityChangesAreReportedInEitherNotation(t *testing.T) {
	if nullableRevision == nullableBase {
		t.Fatal("the revision does not differ")
	}
	parse := func(name, text string, as301 bool) *drift.Document {
		raw := []byte(text)
		if as301 {
			raw = render301(t, raw)
		}
		doc, err := drift.Parse(raw, name)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	want := []string{
		"response-property-became-not-nullable `a`", "response-property-became-not-nullable `c`",
		"response-property-became-nullable `b`", "response-property-became-nullable `d`",
	}
	for _, tc := range []struct {
		name                 string
		base301, revision301 bool
	}{
		{"3.1 to 3.1", false, false},
		{"3.0.1 to 3.0.1", true, true},
		{"3.0.1 to 3.1", true, false},
		{"3.1 to 3.0.1", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := drift.Compare(context.Background(), parse("base", nullableBase, tc.base301), parse("revision", nullableRevision, tc.revision301))
			if err != nil {
				t.Fatal(err)
			}
			// e is written differently in each notation and does not change: it must not appear.
			if got := nullabilityEntries(r); !slices.Equal(got, want) || len(r.Changes) != len(want) {
				t.Errorf("nullability changes = %v, want %v; all changes: %v", got, want, firstChanges(r, 10))
			}
		})
	}
}
