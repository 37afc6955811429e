package main

import (
	"encoding/json"
	"strings"
)

// node is what tolerant decoding needs to know about a schema (package cloud's schemaNode,
// before it is written out): which JSON types it allows and the schemas of its properties,
// items and map values. oneOf, anyOf and allOf are merged: a position is "string only" when no
// branch allows anything but a string there.
//
// kinds, format and loose describe what the generated Go type at this position can take: a node
// is loose (takes anything) when the document gives no type, or a oneOf/anyOf (generated as a
// union that keeps the raw JSON). filled says the node is complete: a recursive schema meets
// itself half built.
type node struct {
	allowsString, allowsNumber, allowsAny bool
	props                                 map[string]*node
	items                                 *node
	additional                            *node

	kinds  uint8
	format uint8
	loose  bool
	filled bool
}

// The generator's own kinds and formats; the generated file names package cloud's constants
// (kindsExpr, formatExpr), so only the names must match.
const (
	kindString   uint8 = 1 << iota
	kindInteger        // a number without fraction or exponent
	kindFraction       // any other number
	kindBool
	kindObject
	kindArray
)

const (
	formatDateTime = 1 + iota
	formatDate
)

// rawSchema is the part of a JSON Schema that tolerant decoding reads.
type rawSchema struct {
	Ref                  string                `json:"$ref"`
	Type                 json.RawMessage       `json:"type"`
	Format               string                `json:"format"`
	Properties           map[string]*rawSchema `json:"properties"`
	Items                *rawSchema            `json:"items"`
	AdditionalProperties json.RawMessage       `json:"additionalProperties"`
	AllOf                []*rawSchema          `json:"allOf"`
	OneOf                []*rawSchema          `json:"oneOf"`
	AnyOf                []*rawSchema          `json:"anyOf"`
}

type compiler struct {
	components map[string]json.RawMessage
	byName     map[string]*node // compiled components (recursive schemas share nodes)
}

// compile turns a raw schema into a node, resolving $ref (recursive schemas share nodes).
func (c *compiler) compile(raw *rawSchema, depth int) *node {
	if raw == nil || depth > 64 {
		return &node{allowsAny: true, loose: true, filled: true}
	}
	if raw.Ref != "" {
		name := strings.TrimPrefix(raw.Ref, "#/components/schemas/")
		if n, ok := c.byName[name]; ok {
			return n
		}
		var target rawSchema
		if data, ok := c.components[name]; !ok || json.Unmarshal(data, &target) != nil {
			return &node{allowsAny: true, loose: true, filled: true}
		}
		n := &node{}
		c.byName[name] = n // before its children, so a recursive schema finds itself
		c.fill(n, &target, depth)
		return n
	}
	n := &node{}
	c.fill(n, raw, depth)
	return n
}

// fill compiles raw into n.
func (c *compiler) fill(n *node, raw *rawSchema, depth int) {
	types := schemaTypes(raw.Type)
	for _, typ := range types {
		switch typ {
		case "string":
			n.allowsString = true
			n.kinds |= kindString
		case "number":
			n.allowsNumber = true
			n.kinds |= kindInteger | kindFraction
		case "integer":
			n.allowsNumber = true
			n.kinds |= kindInteger
		case "boolean":
			n.kinds |= kindBool
		case "object":
			n.kinds |= kindObject
		case "array":
			n.kinds |= kindArray
		}
	}
	if n.kinds == kindString {
		switch raw.Format {
		case "date-time":
			n.format = formatDateTime
		case "date":
			n.format = formatDate
		}
	}
	if len(raw.Properties) > 0 {
		n.props = make(map[string]*node, len(raw.Properties))
		for name, p := range raw.Properties {
			n.props[name] = c.compile(p, depth+1)
		}
	}
	if raw.Items != nil {
		n.items = c.compile(raw.Items, depth+1)
	}
	if ap := raw.AdditionalProperties; len(ap) > 0 && ap[0] == '{' {
		var s rawSchema
		if json.Unmarshal(ap, &s) == nil {
			n.additional = c.compile(&s, depth+1)
		}
	}
	if len(types) == 0 {
		switch {
		case n.props != nil || n.additional != nil:
			n.kinds = kindObject // generated as a struct or a map
		case n.items != nil:
			n.kinds = kindArray
		}
	}
	// allOf is generated as one type that all its branches describe: the kinds they share.
	// oneOf and anyOf are generated as unions that keep the raw JSON, so they take anything,
	// except for a single form or null (a nullable form): that is generated as the form.
	var union []*rawSchema
	allOf := raw.AllOf
	for _, b := range append(append([]*rawSchema{}, raw.OneOf...), raw.AnyOf...) {
		if t := schemaTypes(b.Type); len(t) == 1 && t[0] == "null" && b.Ref == "" {
			continue
		}
		union = append(union, b)
	}
	if len(union) == 1 {
		allOf = append(append([]*rawSchema{}, allOf...), union[0])
		union = nil
	}
	for _, b := range allOf {
		branch := c.compile(b, depth+1)
		mergeNode(n, branch, 0)
		if branch.filled && !branch.loose && branch.kinds != 0 {
			if n.kinds == 0 {
				n.kinds, n.format = branch.kinds, branch.format
			} else {
				n.kinds &= branch.kinds
				if branch.format != 0 && n.kinds == kindString {
					n.format = branch.format
				}
			}
		}
	}
	for _, b := range union {
		mergeNode(n, c.compile(b, depth+1), 0)
		n.loose = true
	}
	if len(types) == 0 && len(raw.AllOf)+len(raw.OneOf)+len(raw.AnyOf) == 0 && n.props == nil && n.items == nil && n.additional == nil {
		n.allowsAny = true
	}
	if n.allowsAny || n.kinds == 0 {
		n.loose = true
	}
	if n.kinds != kindString {
		n.format = 0
	}
	n.filled = true
}

// mergeNode widens dst by what src allows (a union: safe for oneOf and anyOf, and for allOf it
// only means a number is left alone in a few more places).
func mergeNode(dst, src *node, depth int) {
	if dst == src || src == nil || depth > 8 {
		return
	}
	dst.allowsString = dst.allowsString || src.allowsString
	dst.allowsNumber = dst.allowsNumber || src.allowsNumber
	dst.allowsAny = dst.allowsAny || src.allowsAny
	for name, c := range src.props {
		if dst.props == nil {
			dst.props = map[string]*node{}
		}
		if existing, ok := dst.props[name]; ok && existing != c {
			dst.props[name] = mergedNode(existing, c, depth)
		} else {
			dst.props[name] = c
		}
	}
	if src.items != nil {
		if dst.items == nil {
			dst.items = src.items
		} else if dst.items != src.items {
			dst.items = mergedNode(dst.items, src.items, depth)
		}
	}
	if src.additional != nil && dst.additional == nil {
		dst.additional = src.additional
	}
}

// mergedNode is a new node that allows what a or b allows (as one property of merged branches).
func mergedNode(a, b *node, depth int) *node {
	m := &node{filled: true}
	mergeNode(m, a, depth+1)
	mergeNode(m, b, depth+1)
	m.kinds = a.kinds | b.kinds
	m.loose = a.loose || b.loose || !a.filled || !b.filled
	if a.format == b.format {
		m.format = a.format
	}
	return m
}

func schemaTypes(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}
