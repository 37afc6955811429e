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
type schemaNode struct {
	allowsString, allowsNumber, allowsAny bool
	props                                 map[string]*schemaNode
	items                                 *schemaNode
	additional                            *schemaNode
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
	// stringNames holds every property name under which a string-only value (or an array of
	// them) is declared; a number under any other name cannot be a string position unless it
	// is in a map, and fullWalk says the schema has string-only maps.
	stringNames map[string]bool
	fullWalk    bool
}

// rawSchema is the part of a JSON Schema that tolerant decoding reads.
type rawSchema struct {
	Ref                  string                `json:"$ref"`
	Type                 json.RawMessage       `json:"type"`
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
	s := &responseShape{root: root, stringNames: map[string]bool{}}
	if root.itemsStringOnly() {
		s.stringNames[""] = true
	}
	seen := map[*schemaNode]bool{}
	var visit func(n *schemaNode)
	visit = func(n *schemaNode) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		for name, c := range n.props {
			if c.itemsStringOnly() {
				s.stringNames[name] = true
			}
			visit(c)
		}
		if n.additional.itemsStringOnly() {
			s.fullWalk = true
		}
		visit(n.items)
		visit(n.additional)
	}
	visit(root)
	return s
}

// compile turns a raw schema into a schemaNode, resolving $ref (recursive schemas share nodes).
func (idx *schemaIndex) compile(raw *rawSchema, depth int) *schemaNode {
	if raw == nil || depth > 64 {
		return &schemaNode{allowsAny: true}
	}
	if raw.Ref != "" {
		name := strings.TrimPrefix(raw.Ref, "#/components/schemas/")
		if n, ok := idx.byName[name]; ok {
			return n
		}
		var target rawSchema
		if data, ok := idx.components[name]; !ok || json.Unmarshal(data, &target) != nil {
			return &schemaNode{allowsAny: true}
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
		case "number", "integer":
			n.allowsNumber = true
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
	branches := append(append(append([]*rawSchema{}, raw.AllOf...), raw.OneOf...), raw.AnyOf...)
	for _, b := range branches {
		mergeNode(n, idx.compile(b, depth+1), 0)
	}
	if len(types) == 0 && len(branches) == 0 && n.props == nil && n.items == nil && n.additional == nil {
		n.allowsAny = true
	}
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
			merged := &schemaNode{}
			mergeNode(merged, existing, depth+1)
			mergeNode(merged, c, depth+1)
			dst.props[name] = merged
		} else {
			dst.props[name] = c
		}
	}
	if src.items != nil {
		if dst.items == nil {
			dst.items = src.items
		} else if dst.items != src.items {
			merged := &schemaNode{}
			mergeNode(merged, dst.items, depth+1)
			mergeNode(merged, src.items, depth+1)
			dst.items = merged
		}
	}
	if src.additional != nil && dst.additional == nil {
		dst.additional = src.additional
	}
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
