package specdoc

import (
	"slices"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// relaxOverlappingOneOf reads, in the loaded model only, every oneOf whose alternatives cannot be
// told apart as an anyOf, and returns where it did so.
//
// The alternatives in question are open objects that require nothing and share no property name.
// An object written for one of them (its properties, valid values) fits all the others too,
// which allow unknown properties and constrain none of these. So "exactly one" fails, and a
// strict validator refuses exactly the values the API accepts. The ClickPipe Kafka
// source's credentials (PLAIN, MskIamUser, AzureEventHub, MutualTLS) are the case that showed it:
// `clickpipe create` and the fake server refused every Kafka pipe with credentials. Read as
// anyOf, such a schema means what the API does. The embedded document itself is not changed.
func relaxOverlappingOneOf(doc *openapi3.T) []string {
	w := oneOfWalker{seen: map[*openapi3.Schema]bool{}}
	if doc.Components != nil {
		names := make([]string, 0, len(doc.Components.Schemas))
		for name := range doc.Components.Schemas {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			w.visit(doc.Components.Schemas[name], "#/components/schemas/"+name)
		}
	}
	if doc.Paths != nil {
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				where := method + " " + path
				for _, p := range op.Parameters {
					if p.Value != nil {
						w.visit(p.Value.Schema, where+" parameter "+p.Value.Name)
					}
				}
				if op.RequestBody != nil && op.RequestBody.Value != nil {
					for _, media := range op.RequestBody.Value.Content {
						w.visit(media.Schema, where+" request body")
					}
				}
				if op.Responses != nil {
					for status, resp := range op.Responses.Map() {
						if resp.Value == nil {
							continue
						}
						for _, media := range resp.Value.Content {
							w.visit(media.Schema, where+" response "+status)
						}
					}
				}
			}
		}
	}
	slices.Sort(w.relaxed)
	return w.relaxed
}

type oneOfWalker struct {
	seen    map[*openapi3.Schema]bool
	relaxed []string
}

func (w *oneOfWalker) visit(ref *openapi3.SchemaRef, where string) {
	if ref == nil || ref.Value == nil || w.seen[ref.Value] {
		return
	}
	s := ref.Value
	w.seen[s] = true
	if len(s.OneOf) > 1 && s.Discriminator == nil && indistinguishable(s.OneOf) {
		s.AnyOf = append(s.AnyOf, s.OneOf...)
		s.OneOf = nil
		w.relaxed = append(w.relaxed, where)
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		w.visit(s.Properties[name], where+"/properties/"+name)
	}
	w.visit(s.Items, where+"/items")
	w.visit(s.AdditionalProperties.Schema, where+"/additionalProperties")
	w.visit(s.Not, where+"/not")
	for kind, refs := range map[string]openapi3.SchemaRefs{"allOf": s.AllOf, "oneOf": s.OneOf, "anyOf": s.AnyOf, "prefixItems": s.PrefixItems} {
		for _, r := range refs {
			w.visit(r, where+"/"+kind)
		}
	}
}

// indistinguishable reports whether every alternative is a plain object schema that requires
// nothing, allows unknown properties and pins no value, and no two declare the same property.
// Alternatives that share a property (say bucketProvider with a different enum in each) can be
// told apart by it, and stay a oneOf.
func indistinguishable(alternatives openapi3.SchemaRefs) bool {
	declared := map[string]bool{}
	for _, ref := range alternatives {
		s := ref.Value
		if s == nil || len(s.Required) > 0 || len(s.Properties) == 0 ||
			(s.Type != nil && !s.Type.Is(openapi3.TypeObject)) ||
			(s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has) ||
			len(s.AllOf)+len(s.OneOf)+len(s.AnyOf) > 0 || s.Not != nil ||
			len(s.Enum) > 0 || s.Const != nil || s.Discriminator != nil {
			return false
		}
		for name := range s.Properties {
			if declared[name] {
				return false
			}
			declared[name] = true
		}
	}
	return true
}
