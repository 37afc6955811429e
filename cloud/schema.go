package cloud

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/chcloud-dev/chcloud/spec"
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
	props                                 map[string]*schemaNode
	items                                 *schemaNode
	additional                            *schemaNode

	kinds  kindSet
	format uint8 // formatDateTime or formatDate for a string the generated type parses
	loose  bool
	filled bool
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

func (n *schemaNode) child(key string) *schemaNode {
	if n == nil {
		return nil
	}
	if c, ok := n.props[key]; ok {
		return c
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

type rawOperation struct {
	Responses map[string]struct {
		Content map[string]struct {
			Schema *rawSchema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

// operationRoute is one operation of the document, found by method and path.
type operationRoute struct {
	id string
	op []byte // the operation's JSON, a slice of the embedded document, parsed on first use

	once     sync.Once
	shapes   map[int]*responseShape
	fallback *responseShape // the "default" response
}

type routeTrie struct {
	literal map[string]*routeTrie
	param   *routeTrie
	methods map[string]*operationRoute
}

// schemaIndex finds an operation's response schemas. It holds slices of the embedded document
// (read-only data, not heap) and compiles only what answers need, when they need it, so that a
// program using the SDK carries a few kilobytes for it, not the document parsed into maps: a
// megabyte more live heap would make the garbage collector run twice as often in a small program.
type schemaIndex struct {
	routes     *routeTrie
	components map[string][]byte // component schema name -> its JSON in the embedded document
	mu         sync.Mutex
	byName     map[string]*schemaNode // compiled components (recursive schemas share nodes)
}

var loadSchemaIndex = sync.OnceValue(buildSchemaIndex)

func buildSchemaIndex() *schemaIndex {
	idx := &schemaIndex{routes: &routeTrie{}, byName: map[string]*schemaNode{}}
	doc := spec.Document()
	top, err := objectMembers(doc)
	if err != nil {
		return idx // no schemas: answers pass through unchanged
	}
	if components, err := objectMembers(top["components"]); err == nil {
		idx.components, _ = objectMembers(components["schemas"])
	}
	paths, err := objectMembers(top["paths"])
	if err != nil {
		return idx
	}
	for path, rawItem := range paths {
		item, err := objectMembers(rawItem)
		if err != nil {
			continue
		}
		for method, op := range item {
			idx.routes.insert(path, strings.ToUpper(method), &operationRoute{id: method + " " + path, op: op})
		}
	}
	return idx
}

// objectMembers returns the members of the JSON object in data as slices of data (no copies).
// It only finds where each value starts and ends (strings skipped with stringEnd, brackets
// counted), so indexing the 1.2 MB document costs a few milliseconds on first use; decoding
// every level with encoding/json took 40.
func objectMembers(data []byte) (map[string][]byte, error) {
	i := skipJSONSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, errNotObject
	}
	members := map[string][]byte{}
	for i++; ; {
		i = skipJSONSpace(data, i)
		if i < len(data) && data[i] == '}' && len(members) == 0 {
			return members, nil
		}
		if i >= len(data) || data[i] != '"' {
			return nil, errNotObject
		}
		end := stringEnd(data, i)
		if end < 0 {
			return nil, errNotObject
		}
		var key string
		if err := json.Unmarshal(data[i:end], &key); err != nil {
			return nil, err
		}
		i = skipJSONSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return nil, errNotObject
		}
		start := skipJSONSpace(data, i+1)
		stop, err := skipJSONValue(data, start)
		if err != nil {
			return nil, err
		}
		members[key] = data[start:stop]
		i = skipJSONSpace(data, stop)
		switch {
		case i < len(data) && data[i] == ',':
			i++
		case i < len(data) && data[i] == '}':
			return members, nil
		default:
			return nil, errNotObject
		}
	}
}

var errNotObject = errors.New("not a JSON object")

func skipJSONSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipJSONValue returns the index just past the JSON value starting at data[i].
func skipJSONValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, io.ErrUnexpectedEOF
	}
	switch data[i] {
	case '"':
		if end := stringEnd(data, i); end > 0 {
			return end, nil
		}
		return 0, io.ErrUnexpectedEOF
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end := stringEnd(data, j)
				if end < 0 {
					return 0, io.ErrUnexpectedEOF
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, io.ErrUnexpectedEOF
	}
	j := i
	for j < len(data) && !strings.ContainsRune(",}] \t\r\n", rune(data[j])) {
		j++
	}
	if j == i {
		return 0, fmt.Errorf("no JSON value at offset %d", i)
	}
	return j, nil
}

func (t *routeTrie) insert(path, method string, route *operationRoute) {
	node := t
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if strings.HasPrefix(seg, "{") {
			if node.param == nil {
				node.param = &routeTrie{}
			}
			node = node.param
			continue
		}
		if node.literal == nil {
			node.literal = map[string]*routeTrie{}
		}
		next, ok := node.literal[seg]
		if !ok {
			next = &routeTrie{}
			node.literal[seg] = next
		}
		node = next
	}
	if node.methods == nil {
		node.methods = map[string]*operationRoute{}
	}
	node.methods[method] = route
}

// lookup finds the operation for a request path, preferring literal segments over parameters.
func (t *routeTrie) lookup(method, path string) *operationRoute {
	path = strings.Trim(path, "/")
	return t.match(method, path)
}

func (t *routeTrie) match(method, rest string) *operationRoute {
	if rest == "" {
		return t.methods[method]
	}
	seg, tail, _ := strings.Cut(rest, "/")
	if next, ok := t.literal[seg]; ok {
		if r := next.match(method, tail); r != nil {
			return r
		}
	}
	if t.param != nil && seg != "" {
		return t.param.match(method, tail)
	}
	return nil
}

// responseShapeFor returns the declared JSON answer of the operation at method and path for
// status, or nil when the document declares none.
func responseShapeFor(method, path string, status int) *responseShape {
	return loadSchemaIndex().responseShape(method, path, status)
}

func (idx *schemaIndex) responseShape(method, path string, status int) *responseShape {
	route := idx.routes.lookup(method, path)
	if route == nil {
		return nil
	}
	route.once.Do(func() {
		route.shapes = map[int]*responseShape{}
		for code, raw := range route.responseSchemas() {
			if n, err := strconv.Atoi(code); err == nil {
				route.shapes[n] = idx.shape(raw)
			} else if code == "default" {
				route.fallback = idx.shape(raw)
			}
		}
	})
	if s, ok := route.shapes[status]; ok {
		return s
	}
	return route.fallback
}

// responseSchemas parses the operation's JSON response schema per declared status.
func (r *operationRoute) responseSchemas() map[string]*rawSchema {
	var op rawOperation
	if json.Unmarshal(r.op, &op) != nil {
		return nil
	}
	schemas := map[string]*rawSchema{}
	for status, resp := range op.Responses {
		for ct, media := range resp.Content {
			if strings.Contains(ct, "json") && media.Schema != nil {
				schemas[status] = media.Schema
			}
		}
	}
	return schemas
}

func (idx *schemaIndex) shape(raw *rawSchema) *responseShape {
	idx.mu.Lock()
	root := idx.compile(raw, 0)
	idx.mu.Unlock()
	type declaration struct {
		name string
		node *schemaNode
	}
	decls := []declaration{{"", root}} // the root stands under the name ""
	s := &responseShape{root: root}
	seen := map[*schemaNode]bool{}
	var visit func(n *schemaNode)
	visit = func(n *schemaNode) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		for name, c := range n.props {
			decls = append(decls, declaration{name, c})
			visit(c)
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

// compile turns a raw schema into a schemaNode, resolving $ref (recursive schemas share nodes).
func (idx *schemaIndex) compile(raw *rawSchema, depth int) *schemaNode {
	if raw == nil || depth > 64 {
		return &schemaNode{allowsAny: true, loose: true, filled: true}
	}
	if raw.Ref != "" {
		name := strings.TrimPrefix(raw.Ref, "#/components/schemas/")
		if n, ok := idx.byName[name]; ok {
			return n
		}
		var target rawSchema
		if data, ok := idx.components[name]; !ok || json.Unmarshal(data, &target) != nil {
			return &schemaNode{allowsAny: true, loose: true, filled: true}
		}
		n := &schemaNode{}
		idx.byName[name] = n // before its children, so a recursive schema finds itself
		idx.fill(n, &target, depth)
		return n
	}
	n := &schemaNode{}
	idx.fill(n, raw, depth)
	return n
}

// fill compiles raw into n.
func (idx *schemaIndex) fill(n *schemaNode, raw *rawSchema, depth int) {
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
		n.props = make(map[string]*schemaNode, len(raw.Properties))
		for name, p := range raw.Properties {
			n.props[name] = idx.compile(p, depth+1)
		}
	}
	if raw.Items != nil {
		n.items = idx.compile(raw.Items, depth+1)
	}
	if ap := raw.AdditionalProperties; len(ap) > 0 && ap[0] == '{' {
		var s rawSchema
		if json.Unmarshal(ap, &s) == nil {
			n.additional = idx.compile(&s, depth+1)
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
		c := idx.compile(b, depth+1)
		mergeNode(n, c, 0)
		if c.filled && !c.loose && c.kinds != 0 {
			if n.kinds == 0 {
				n.kinds, n.format = c.kinds, c.format
			} else {
				n.kinds &= c.kinds
				if c.format != 0 && n.kinds == kindString {
					n.format = c.format
				}
			}
		}
	}
	for _, b := range union {
		mergeNode(n, idx.compile(b, depth+1), 0)
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
func mergeNode(dst, src *schemaNode, depth int) {
	if dst == src || src == nil || depth > 8 {
		return
	}
	dst.allowsString = dst.allowsString || src.allowsString
	dst.allowsNumber = dst.allowsNumber || src.allowsNumber
	dst.allowsAny = dst.allowsAny || src.allowsAny
	for name, c := range src.props {
		if dst.props == nil {
			dst.props = map[string]*schemaNode{}
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
func mergedNode(a, b *schemaNode, depth int) *schemaNode {
	m := &schemaNode{filled: true}
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
