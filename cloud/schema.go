package cloud

import (
	"slices"
	"strings"
	"sync"

	"github.com/chcloud-dev/chcloud/spec/route"
)

// schemaNode is what tolerant decoding needs to know about a schema: which JSON types it allows
// and the schemas of its properties, items and map values. oneOf, anyOf and allOf are merged:
// a position is "string only" when no branch allows anything but a string there.
//
// kinds, format and loose describe what the generated Go type at this position can take, for
// dropping values it cannot: a node is loose (takes anything) when the document gives no type,
// or a oneOf/anyOf (generated as a union that keeps the raw JSON).
type schemaNode struct {
	allowsString, allowsNumber, allowsAny bool
	props                                 []schemaProp // sorted by name, as schemagen writes them
	items                                 *schemaNode
	additional                            *schemaNode

	kinds  kindSet
	format uint8 // formatDateTime or formatDate for a string the generated type parses
	loose  bool
}

// kindSet is a set of JSON value kinds. null is not one: every generated type takes null.
type kindSet uint8

const (
	kindString   kindSet = 1 << iota
	kindInteger          // a number without fraction or exponent
	kindFraction         // any other number
	kindBool
	kindObject
	kindArray
	kindAll = kindString | kindInteger | kindFraction | kindBool | kindObject | kindArray
)

const (
	formatDateTime = 1 + iota
	formatDate
)

// strict reports whether values that n's generated type cannot take are to be dropped.
func (n *schemaNode) strict() bool { return n != nil && !n.loose && n.kinds != kindAll }

// want names what the document declares at n, for a DecodeWarning.
func (n *schemaNode) want() string {
	switch n.format {
	case formatDateTime:
		return "date-time"
	case formatDate:
		return "date"
	}
	var parts []string
	for _, k := range []struct {
		set  kindSet
		name string
	}{{kindString, "string"}, {kindInteger | kindFraction, "number"}, {kindInteger, "integer"},
		{kindBool, "boolean"}, {kindObject, "object"}, {kindArray, "array"}} {
		if n.kinds&k.set == k.set && (k.set != kindInteger || n.kinds&kindFraction == 0) {
			parts = append(parts, k.name)
		}
	}
	return strings.Join(parts, " or ")
}

func (n *schemaNode) stringOnly() bool {
	return n != nil && n.allowsString && !n.allowsNumber && !n.allowsAny
}

// itemsStringOnly reports whether n, or the innermost items of nested arrays under n, is string only.
func (n *schemaNode) itemsStringOnly() bool {
	for depth := 0; n != nil && depth < 8; depth++ {
		if n.stringOnly() {
			return true
		}
		n = n.items
	}
	return false
}

// schemaProp is a declared property of an object schema.
type schemaProp struct {
	name string
	node *schemaNode
}

func (n *schemaNode) child(key string) *schemaNode {
	if n == nil {
		return nil
	}
	if i, ok := slices.BinarySearchFunc(n.props, key, func(p schemaProp, key string) int { return strings.Compare(p.name, key) }); ok {
		return n.props[i].node
	}
	return n.additional
}

// responseShape is one operation's declared JSON answer for one status.
type responseShape struct {
	root *schemaNode
	// names is the fast path's filter: per property name, the value kinds that are fine under
	// every declaration of the name, and the date checks any of them needs.
	// A value under a name the filter does not clear sends the answer through the full walk.
	// fullWalk says the schema has maps with restricted values, whose keys are not names.
	names    *nameFilter
	fullWalk bool
}

// nameFilter maps each property name a shape declares to its rules, by open addressing.
type nameFilter struct {
	mask    uint32
	entries []nameEntry
}

type nameEntry struct {
	name            string
	used            bool
	direct, inArray nameRule
}

// undeclaredName is the entry of every name a shape does not declare: any value is fine there.
var undeclaredName = nameEntry{direct: nameRule(kindAll), inArray: nameRule(kindAll)}

func newNameFilter(names int) *nameFilter {
	size := 16
	for size < 4*names {
		size *= 2
	}
	return &nameFilter{mask: uint32(size - 1), entries: make([]nameEntry, size)}
}

// lookup returns the entry of a name (undeclaredName for one the shape does not declare).
func (f *nameFilter) lookup(k []byte) *nameEntry {
	for h := nameHash(k) & f.mask; ; h = (h + 1) & f.mask {
		e := &f.entries[h]
		if !e.used {
			return &undeclaredName
		}
		if e.name == string(k) {
			return e
		}
	}
}

// entry returns the entry of a name, adding it (allowing anything) if it is new.
func (f *nameFilter) entry(name string) *nameEntry {
	for h := nameHash([]byte(name)) & f.mask; ; h = (h + 1) & f.mask {
		e := &f.entries[h]
		if !e.used {
			*e = nameEntry{name: name, used: true, direct: nameRule(kindAll), inArray: nameRule(kindAll)}
			return e
		}
		if e.name == name {
			return e
		}
	}
}

// nameHash mixes a property name's length and three of its bytes: cheap, and collisions only
// cost a probe.
func nameHash(k []byte) uint32 {
	n := len(k)
	if n == 0 {
		return 0
	}
	h := uint32(n)*0x9E3779B1 ^ uint32(k[0])*0x85EBCA77 ^ uint32(k[n-1])*0xC2B2AE3D ^ uint32(k[n/2])*0x27D4EB2F
	return h ^ h>>16
}

// nameRule is a kindSet (the kinds surely fine) and the date checks a string needs.
type nameRule uint16

const (
	ruleDateTime nameRule = 1 << (8 + iota)
	ruleDate
)

// operationRoute is one operation of the document, found by method and path.
type operationRoute struct {
	method, path string // "GET", "/v1/organizations/{organizationId}", as in the document
	responses    []generatedResponse

	once     sync.Once
	shapes   map[int]*responseShape
	fallback *responseShape // the "default" response
}

// routeTable is every operation of the generated tables and the matcher over their paths, the
// same matcher (package route) the fake server and the CLI use.
type routeTable struct {
	matcher *route.Matcher
	ops     []operationRoute
}

// The document's operations and answer schemas are compiled by go generate
// (cloud/internal/schemagen, into schema.gen.go) as plain data: a program using the SDK neither
// embeds nor parses the document. The routes are built on the first answer, and each answer's
// nodes only when an answer of that operation and status arrives.

// generatedRoute is one operation: its method, templated path and declared JSON answers.
type generatedRoute struct {
	method, path string
	responses    []generatedResponse
}

// generatedResponse is the root node of one declared JSON answer; status -1 is "default".
type generatedResponse struct {
	status int
	node   int32
}

// generatedNode is a schemaNode with its links as indices into generatedNodes (-1 for none).
type generatedNode struct {
	flags             uint8
	kinds             kindSet
	format            uint8
	items, additional int32
	props             []generatedProp
}

type generatedProp struct {
	name string
	node int32
}

const (
	nodeAllowsString = 1 << iota
	nodeAllowsNumber
	nodeAllowsAny
	nodeLoose
)

var loadRoutes = sync.OnceValue(buildRoutes)

func buildRoutes() *routeTable {
	t := &routeTable{ops: make([]operationRoute, len(generatedRoutes))}
	templates := make([]route.Template, len(generatedRoutes))
	for i, r := range generatedRoutes {
		templates[i] = route.Template{Method: r.method, Path: r.path}
		t.ops[i] = operationRoute{method: r.method, path: r.path, responses: r.responses}
	}
	// The SDK's own requests never end in a slash, but a caller's base URL or a hand-built request
	// may: decode those answers too, as the SDK always has.
	t.matcher = route.New(templates, route.WithTrailingSlash(func(int) bool { return true }))
	return t
}

// linked holds the schemaNodes made from generatedNodes so far (shared and recursive schemas
// share them), under linkMu.
var (
	linkMu sync.Mutex
	linked map[int32]*schemaNode // a map: an answer links a few hundred of the thousands of nodes
)

// linkNode returns the schemaNode of generatedNodes[i], making it and its descendants on first
// use. The caller holds linkMu.
func linkNode(i int32) *schemaNode {
	if i < 0 {
		return nil
	}
	if linked == nil {
		linked = map[int32]*schemaNode{}
	}
	if n := linked[i]; n != nil {
		return n
	}
	g := &generatedNodes[i]
	n := &schemaNode{allowsString: g.flags&nodeAllowsString != 0, allowsNumber: g.flags&nodeAllowsNumber != 0,
		allowsAny: g.flags&nodeAllowsAny != 0, loose: g.flags&nodeLoose != 0, kinds: g.kinds, format: g.format}
	linked[i] = n // before its children, so a recursive schema finds itself
	if len(g.props) > 0 {
		n.props = make([]schemaProp, len(g.props))
		for i, p := range g.props {
			n.props[i] = schemaProp{p.name, linkNode(p.node)}
		}
	}
	n.items = linkNode(g.items)
	n.additional = linkNode(g.additional)
	return n
}

// lookup finds the operation for a request's method and escaped path, or nil.
func (t *routeTable) lookup(method, path string) *operationRoute {
	if i, ok := t.matcher.Match(method, path); ok {
		return &t.ops[i]
	}
	return nil
}

// responseShapeFor returns the declared JSON answer of the operation at method and path for
// status, or nil when the document declares none.
func responseShapeFor(method, path string, status int) *responseShape {
	route := loadRoutes().lookup(method, path)
	if route == nil {
		return nil
	}
	route.once.Do(func() {
		route.shapes = map[int]*responseShape{}
		for _, r := range route.responses {
			linkMu.Lock()
			root := linkNode(r.node)
			linkMu.Unlock()
			if r.status < 0 {
				route.fallback = newResponseShape(root)
			} else {
				route.shapes[r.status] = newResponseShape(root)
			}
		}
	})
	if s, ok := route.shapes[status]; ok {
		return s
	}
	return route.fallback
}

// newResponseShape builds the fast path's name filter for the answer whose schema is root.
func newResponseShape(root *schemaNode) *responseShape {
	decls := []schemaProp{{"", root}} // every declaration of a name; the root stands under ""
	s := &responseShape{root: root}
	seen := map[*schemaNode]bool{}
	var visit func(n *schemaNode)
	visit = func(n *schemaNode) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		for _, p := range n.props {
			decls = append(decls, p)
			visit(p.node)
		}
		if a := n.additional; a != nil && (a.itemsStringOnly() || a.strict() || a.format != 0) {
			s.fullWalk = true
		}
		visit(n.items)
		visit(n.additional)
	}
	visit(root)
	s.names = newNameFilter(len(decls))
	for _, d := range decls {
		s.declare(d.name, d.node)
	}
	return s
}

// declare narrows the filter for a property name declared as n: directly under the name only
// n's kinds are fine, and as array elements under it only those of n's items (at any depth).
func (s *responseShape) declare(name string, n *schemaNode) {
	e := s.names.entry(name)
	e.direct = e.direct.narrow(n.rule())
	if n.items == nil {
		return
	}
	var inArray nameRule
	for m, depth := n.items, 0; depth < 8; m, depth = m.items, depth+1 {
		inArray |= m.rule()
		if m.items == nil {
			break
		}
	}
	e.inArray = e.inArray.narrow(inArray)
}

// narrow keeps the kinds both rules allow and the date checks either asks for.
func (r nameRule) narrow(by nameRule) nameRule {
	const dates = ruleDateTime | ruleDate
	return r&(by|dates) | by&dates
}

// rule is what the fast path needs to know about a value declared as n: kinds sure to decode
// (all of them when n takes anything) and whether a string must be checked as a date. A string-
// only position also refuses numbers, which must be quoted.
func (n *schemaNode) rule() nameRule {
	kinds := kindAll
	if n.strict() {
		kinds = n.kinds
	}
	if n.stringOnly() {
		kinds &^= kindInteger | kindFraction
	}
	r := nameRule(kinds)
	switch n.format {
	case formatDateTime:
		r |= ruleDateTime
	case formatDate:
		r |= ruleDate
	}
	return r
}
