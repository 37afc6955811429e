package drift

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// ClickHouse switched the document from OpenAPI 3.0.1 to 3.1 in April 2026 without changing a
// single type, and oasdiff, comparing keyword by keyword, read 3.0's `nullable: true` against
// 3.1's `type: [T, "null"]` as hundreds of type and nullability changes, 169 of them breaking.
// So both documents are rewritten into one notation before oasdiff sees them. The notation is
// chosen for what oasdiff's checks recognise best when something really changes:
//
//   - nullability is written the 3.1 way: `type: [T, "null"]` for a typed schema, and
//     `oneOf: [{$ref}, {type: "null"}]` for a reference (the idiom oasdiff's nullable-wrapping
//     check knows). 3.0's `nullable: true`, a oneOf or anyOf with a `{type: "null"}` branch,
//     and a lone branch (`allOf: [X]`, `anyOf: [X]`, `oneOf: [X]`) all become one of those two;
//   - `const: v` is `enum: [v]`, and `examples` is `example` (its first value);
//   - exclusive bounds are written the 3.0 way, `minimum: n` with `exclusiveMinimum: true`,
//     which oasdiff's minimum and maximum checks read.
//
// The rewrite is done on the JSON, before kin-openapi loads it, because merging a lone inline
// branch into its parent is a matter of moving keys. It knows a schema from where it stands
// (under "schema", components.schemas, properties, items, allOf...), so a property named "type"
// or "const" is never read as a keyword, and examples are never touched.

// normalizeNotation returns raw with every schema rewritten into the one notation described
// above. The `openapi` version field is left as it is, so kin-openapi still loads the document
// by its own version's rules (3.1 applies $ref siblings, 3.0 ignores them).
func normalizeNotation(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))))
	dec.UseNumber() // keep integers and large numbers exactly as written
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("reading the document to normalise its notation: %w", err)
	}
	walkNotation(doc, false)
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("writing the document in one notation: %w", err)
	}
	return out, nil
}

// The keywords under which a schema holds other schemas.
var (
	subschemaMaps  = []string{"properties", "patternProperties", "$defs", "dependentSchemas"}
	subschemaOne   = []string{"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "contentSchema", "unevaluatedItems", "unevaluatedProperties"}
	subschemaLists = []string{"allOf", "anyOf", "oneOf", "prefixItems"}
)

// walkNotation rewrites every schema under v. Outside schemas it descends into everything but
// examples and extensions; inside a schema only into the keywords that hold schemas. Schemas are
// rewritten children first, so a lone branch merged into its parent is already in the notation.
func walkNotation(v any, isSchema bool) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			walkNotation(e, false)
		}
	case map[string]any:
		if !isSchema {
			for k, e := range v {
				switch {
				case k == "schema":
					walkNotation(e, true)
				case k == "schemas":
					if m, ok := e.(map[string]any); ok {
						for _, s := range m {
							walkNotation(s, true)
						}
					}
				case k == "example" || k == "examples" || strings.HasPrefix(k, "x-"):
				default:
					walkNotation(e, false)
				}
			}
			return
		}
		for _, k := range subschemaMaps {
			if m, ok := v[k].(map[string]any); ok {
				for _, s := range m {
					walkNotation(s, true)
				}
			}
		}
		for _, k := range subschemaOne {
			walkNotation(v[k], true)
		}
		for _, k := range subschemaLists {
			if l, ok := v[k].([]any); ok {
				for _, s := range l {
					walkNotation(s, true)
				}
			}
		}
		normalizeSchema(v)
	}
}

func normalizeSchema(s map[string]any) {
	if _, ok := s["$ref"]; ok {
		return // 3.0 ignores a $ref's siblings and 3.1 has nothing to rewrite in a bare one
	}
	if ex, ok := s["examples"].([]any); ok {
		if _, has := s["example"]; !has && len(ex) > 0 {
			s["example"] = ex[0]
		}
		delete(s, "examples")
	}
	if c, ok := s["const"]; ok {
		if _, has := s["enum"]; !has {
			s["enum"] = []any{c}
			delete(s, "const")
		}
	}
	exclusiveBound(s, "exclusiveMinimum", "minimum", 1)
	exclusiveBound(s, "exclusiveMaximum", "maximum", -1)

	nullable := false
	if b, ok := s["nullable"].(bool); ok {
		nullable = b
		delete(s, "nullable")
	}
	if types, ok := s["type"].([]any); ok && len(types) > 1 && slices.Contains(types, any("null")) {
		nullable = true
		s["type"] = slices.DeleteFunc(slices.Clone(types), func(t any) bool { return t == "null" })
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		branches, ok := s[key].([]any)
		if !ok {
			continue
		}
		kept := slices.DeleteFunc(slices.Clone(branches), isNullBranch)
		if len(kept) > 0 && len(kept) < len(branches) {
			nullable = true
			s[key] = kept
		}
	}
	collapseLoneBranch(s)
	if types, ok := s["type"].([]any); ok && len(types) == 1 {
		s["type"] = types[0]
	}
	if nullable {
		markNullable(s)
	}
}

// isNullBranch reports whether a oneOf/anyOf branch only says "null": `{type: "null"}`, perhaps
// with a description.
func isNullBranch(b any) bool {
	m, ok := b.(map[string]any)
	if !ok {
		return false
	}
	switch t := m["type"].(type) {
	case string:
		if t != "null" {
			return false
		}
	case []any:
		if len(t) != 1 || t[0] != "null" {
			return false
		}
	default:
		return false
	}
	for k := range m {
		if k != "type" && !annotations[k] {
			return false
		}
	}
	return true
}

// annotations are the keywords that describe a schema without constraining it. When a lone
// branch is merged into its parent, the parent's wins: that is how a 3.0 writer merges too.
var annotations = map[string]bool{"description": true, "title": true, "example": true, "default": true, "$comment": true, "externalDocs": true}

// collapseLoneBranch rewrites a composition with a single branch (what is left of
// `oneOf: [X, {type: "null"}]`, or 3.0's `allOf: [X]` next to `nullable: true`): a $ref branch
// becomes `allOf: [{$ref}]`, which markNullable knows; an inline branch is merged into the
// parent when no constraining keyword is on both.
func collapseLoneBranch(s map[string]any) {
	var key string
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if _, ok := s[k]; !ok {
			continue
		}
		if key != "" {
			return // two compositions: not a lone branch
		}
		key = k
	}
	branches, ok := s[key].([]any)
	if key == "" || !ok || len(branches) != 1 {
		return
	}
	branch, ok := branches[0].(map[string]any)
	if !ok {
		return
	}
	if _, ref := branch["$ref"]; ref {
		delete(s, key)
		s["allOf"] = branches
		return
	}
	for k := range branch {
		if _, taken := s[k]; taken && !annotations[k] {
			return
		}
	}
	delete(s, key)
	for k, v := range branch {
		if _, taken := s[k]; !taken {
			s[k] = v
		}
	}
}

// markNullable writes that s also accepts null, in the notation's one way for its shape.
func markNullable(s map[string]any) {
	switch t := s["type"].(type) {
	case string:
		if t != "null" {
			s["type"] = []any{t, "null"}
		}
		return
	case []any:
		if !slices.Contains(t, any("null")) {
			s["type"] = append(slices.Clone(t), "null")
		}
		return
	}
	null := map[string]any{"type": "null"}
	if all, ok := s["allOf"].([]any); ok && s["oneOf"] == nil && s["anyOf"] == nil {
		delete(s, "allOf")
		if len(all) == 1 {
			s["oneOf"] = []any{all[0], null}
		} else {
			s["oneOf"] = []any{map[string]any{"allOf": all}, null}
		}
		return
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		if branches, ok := s[key].([]any); ok {
			s[key] = append(slices.Clone(branches), null)
			return
		}
	}
	// Without a type or a composition the schema accepts any value, null included: nothing to say.
}

// exclusiveBound rewrites a 3.1 numeric exclusive bound as the 3.0 pair (`minimum: n`,
// `exclusiveMinimum: true`). When the schema also has an inclusive bound, the tighter one is kept.
// sign is 1 for a minimum (higher is tighter) and -1 for a maximum. A false 3.0 flag is dropped:
// it says the same as no flag.
func exclusiveBound(s map[string]any, exclusive, bound string, sign int) {
	switch v := s[exclusive].(type) {
	case bool:
		if !v {
			delete(s, exclusive)
		}
	case json.Number:
		n, err := v.Float64()
		if err != nil {
			return
		}
		if other, ok := s[bound].(json.Number); ok {
			if m, err := other.Float64(); err == nil && float64(sign)*(m-n) > 0 {
				delete(s, exclusive) // the inclusive bound is tighter
				return
			}
		}
		s[bound] = v
		s[exclusive] = true
	}
}
