package findings

import (
	"fmt"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// strict reports every property of the body that its schema does not declare. The published
// document leaves most objects open (no additionalProperties: false), so a validator accepts any
// new field silently; that a field appeared is exactly the drift the suite exists to notice.
//
// Composition is read generously: a property declared by any branch of allOf/oneOf/anyOf counts as
// declared, and the first branch that declares it is the one its value is walked with.
func (j *judgement) strict(schema *openapi3.Schema, value any) {
	j.walk(schema, value, "$", 0)
}

// maxDepth stops the walk on recursive schemas; real answers are far shallower.
const maxDepth = 64

func (j *judgement) walk(schema *openapi3.Schema, value any, path string, depth int) {
	if schema == nil || depth > maxDepth {
		return
	}
	switch v := value.(type) {
	case []any:
		items := itemSchema(schema)
		if items == nil {
			return
		}
		for i, elem := range v {
			j.walk(items, elem, fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	case map[string]any:
		props, additional, open := objectShape(schema, 0)
		if len(props) == 0 && additional == nil && open {
			return // a free-form object: nothing is undeclared in it
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			child := path + pathKey(k)
			if ps, ok := props[k]; ok {
				j.walk(ps, v[k], child, depth+1)
				continue
			}
			if additional != nil {
				j.walk(additional, v[k], child, depth+1)
				continue
			}
			if open {
				continue
			}
			j.add(child, UndeclaredField, fmt.Sprintf("the schema does not declare %q (got %s)", k, jsonType(v[k])))
		}
	}
}

// objectShape returns the declared properties of schema and its composed branches, the schema
// for additional properties when one is given, and whether additional properties are explicitly
// allowed (additionalProperties: true).
func objectShape(schema *openapi3.Schema, depth int) (map[string]*openapi3.Schema, *openapi3.Schema, bool) {
	props := map[string]*openapi3.Schema{}
	var additional *openapi3.Schema
	allowed := false
	if schema == nil || depth > maxDepth {
		return props, nil, false
	}
	for name, ref := range schema.Properties {
		if ref != nil && ref.Value != nil {
			props[name] = ref.Value
		}
	}
	if schema.AdditionalProperties.Schema != nil && schema.AdditionalProperties.Schema.Value != nil {
		additional = schema.AdditionalProperties.Schema.Value
	}
	if schema.AdditionalProperties.Has != nil && *schema.AdditionalProperties.Has {
		allowed = true
	}
	// A schema with no properties, no additionalProperties and no composition is a free-form
	// object (type: object alone, or no type at all).
	composed := append(append(append(openapi3.SchemaRefs{}, schema.AllOf...), schema.OneOf...), schema.AnyOf...)
	if len(schema.Properties) == 0 && schema.AdditionalProperties.Has == nil && additional == nil && len(composed) == 0 {
		allowed = true
	}
	for _, ref := range composed {
		if ref == nil || ref.Value == nil {
			continue
		}
		p, a, ok := objectShape(ref.Value, depth+1)
		for k, s := range p {
			if _, exists := props[k]; !exists {
				props[k] = s
			}
		}
		if additional == nil {
			additional = a
		}
		// A free-form branch makes the whole union free-form only when no branch declares anything.
		if ok && len(p) == 0 && a == nil && len(props) == 0 {
			allowed = true
		}
	}
	return props, additional, allowed
}

// itemSchema returns the schema of array elements, looking through composition.
func itemSchema(schema *openapi3.Schema) *openapi3.Schema {
	if schema.Items != nil && schema.Items.Value != nil {
		return schema.Items.Value
	}
	for _, refs := range []openapi3.SchemaRefs{schema.AllOf, schema.OneOf, schema.AnyOf} {
		for _, ref := range refs {
			if ref != nil && ref.Value != nil && ref.Value.Items != nil && ref.Value.Items.Value != nil {
				return ref.Value.Items.Value
			}
		}
	}
	return nil
}
