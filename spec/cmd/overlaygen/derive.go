package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/chcloud-dev/chcloud/spec/drift"
)

// Markers delimit the part of the overlay this program owns.
const (
	beginMarker = "  # BEGIN DERIVED: written by spec/cmd/overlaygen from spec/openapi.json; do not edit by hand."
	endMarker   = "  # END DERIVED"
)

// action is one overlay action: a JSONPath target, the reason, and the fields merged into it.
type action struct {
	Target      string
	Description string
	Update      map[string]string // sorted by key when rendered
}

// loadDocument validates raw as an OpenAPI document with spec/drift, the one document validator
// of the module (the one `chcloud spec fetch` and `diff` use), and decodes it for deriveActions.
// Errors name the file and the first problem.
func loadDocument(ctx context.Context, name string, raw []byte) (map[string]any, error) {
	parsed, err := drift.Parse(raw, name)
	if err != nil {
		return nil, err
	}
	if err := parsed.Validate(ctx); err != nil {
		return nil, err
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err) // drift.Parse decoded it already
	}
	return doc, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// deriveActions walks the document and returns the actions code generation needs, in a stable
// order.
func deriveActions(doc map[string]any, goName func(string) string) ([]action, error) {
	unions, err := multiTypeUnions(doc)
	if err != nil {
		return nil, err
	}
	return append(unions, wrapperCollisions(doc, goName)...), nil
}

// multiTypeUnions finds schemas whose type is a list of more than one non-null JSON type, which
// oapi-codegen v2 cannot generate ("unhandled Schema type"). A union of string with integer or
// number becomes the hand-written cloudapi.StringOrNumber, which keeps whichever the server sent;
// any other union is an error so that nobody papers over it silently.
func multiTypeUnions(doc map[string]any) ([]action, error) {
	var out []action
	var problems []string
	walk(doc, nil, func(path []string, node map[string]any) {
		list, ok := node["type"].([]any)
		if !ok {
			return
		}
		var kinds []string
		for _, t := range list {
			if s, _ := t.(string); s != "null" {
				kinds = append(kinds, s)
			}
		}
		if len(kinds) < 2 {
			return
		}
		sort.Strings(kinds)
		switch strings.Join(kinds, ",") {
		case "integer,string", "number,string", "integer,number,string":
			out = append(out, action{
				Target:      jsonPath(path),
				Description: fmt.Sprintf("type [%s] is a multi-type union oapi-codegen cannot generate; StringOrNumber keeps either form", strings.Join(kinds, ", ")),
				Update:      map[string]string{"x-go-type": "StringOrNumber"},
			})
		default:
			problems = append(problems, fmt.Sprintf("%s: type [%s]", jsonPath(path), strings.Join(kinds, ", ")))
		}
	})
	if len(problems) > 0 {
		return nil, fmt.Errorf("multi-type unions with no mapping (teach spec/cmd/overlaygen one): %s", strings.Join(problems, "; "))
	}
	return out, nil
}

// wrapperCollisions finds component schemas named like the response wrapper oapi-codegen generates
// for an operation (<OperationId>Response), and gives the schema the Go name <Base>Result instead,
// because the schema is the operation's result. Names are compared case-insensitively, the way
// they collide once normalised into Go identifiers; goName normalises the new name the way the
// generator would, because oapi-codegen uses x-go-name verbatim.
func wrapperCollisions(doc map[string]any, goName func(string) string) []action {
	wrappers := map[string]bool{}
	paths, _ := doc["paths"].(map[string]any)
	for _, item := range paths {
		ops, _ := item.(map[string]any)
		for _, op := range ops {
			o, _ := op.(map[string]any)
			if id, ok := o["operationId"].(string); ok {
				wrappers[strings.ToLower(id+"Response")] = true
			}
		}
	}
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	var names []string
	for name := range schemas {
		if wrappers[strings.ToLower(name)] {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := make([]action, 0, len(names))
	for _, name := range names {
		base := strings.TrimSuffix(name, "Response")
		out = append(out, action{
			Target:      jsonPath([]string{"components", "schemas", name}),
			Description: fmt.Sprintf("schema %s collides with the generated response wrapper of operation %s", name, lowerFirst(base)),
			Update:      map[string]string{"x-go-name": goName(base + "Result")},
		})
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// walk visits every JSON object in the document depth first, keys in sorted order.
func walk(node any, path []string, visit func([]string, map[string]any)) {
	switch n := node.(type) {
	case map[string]any:
		visit(path, n)
		for _, k := range sortedKeys(n) {
			walk(n[k], append(slices.Clip(path), k), visit)
		}
	case []any:
		for i, v := range n {
			walk(v, append(slices.Clip(path), fmt.Sprint(i)), visit)
		}
	}
}

// jsonPath renders a path as an RFC 9535 JSONPath in bracket notation, safe for any key.
func jsonPath(path []string) string {
	var b strings.Builder
	b.WriteString("$")
	for _, p := range path {
		b.WriteString("['")
		b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(p))
		b.WriteString("']")
	}
	return b.String()
}

// renderActions renders actions as YAML list items indented for the overlay's actions list.
func renderActions(actions []action) string {
	var b strings.Builder
	for _, a := range actions {
		fmt.Fprintf(&b, "  - target: %s\n", yamlString(a.Target))
		fmt.Fprintf(&b, "    description: %s\n", yamlString(a.Description))
		b.WriteString("    update:\n")
		keys := make([]string, 0, len(a.Update))
		for k := range a.Update {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "      %s: %s\n", k, yamlString(a.Update[k]))
		}
	}
	return b.String()
}

// yamlString quotes s as a YAML double-quoted scalar (JSON string syntax is valid YAML).
func yamlString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// replaceDerived swaps the text between the markers for derived.
func replaceDerived(overlay, derived string) (string, error) {
	start := strings.Index(overlay, beginMarker+"\n")
	end := strings.Index(overlay, endMarker+"\n")
	if start < 0 || end < 0 || end < start {
		return "", fmt.Errorf("markers not found: the overlay must contain the lines %q and %q inside its actions list", beginMarker, endMarker)
	}
	head := overlay[:start+len(beginMarker)+1]
	return head + derived + overlay[end:], nil
}
