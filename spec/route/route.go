// Package route is the one matcher of a request (method and escaped path) to an operation of the
// ClickHouse Cloud API, by the operation's templated path ("/v1/organizations/{organizationId}").
// The SDK (over the routes go generate wrote into cloud/schema.gen.go), the fake server and the
// CLI (over package spec's inventory of the embedded document) all route through it, so they
// cannot disagree on which operation a path is. It uses only the standard library and embeds
// nothing, so that the SDK can use it without the document.
//
// Paths are matched segment by segment. A literal segment wins over a path parameter at the same
// position (…/services/query before …/services/{serviceId}); when the literal branch has no
// operation for the method, the parameter branch is tried. A parameter never matches an empty
// segment, nor one that does not unescape.
package route

import (
	"net/url"
	"slices"
	"strings"
)

// Template is one operation's method (upper case) and templated path.
type Template struct {
	Method, Path string
}

// Matcher finds the index of a Template for a request. A Matcher is immutable and safe for
// concurrent use.
type Matcher struct {
	templates     []Template
	nodes         []node // the trie; nodes[0] is the root, and links are indices into nodes
	trailingSlash func(i int) bool
}

// node is one position of the path trie. Its children and methods are short lists (a dozen
// literals at most in the API's paths), searched in order: a trie of maps took several times the
// memory, and the SDK builds this one in every process that decodes an answer.
type node struct {
	literals []edge
	param    int32 // index of the parameter child, 0 for none (the root is nobody's child)
	methods  []methodIndex
}

// edge is a literal path segment and the node it leads to.
type edge struct {
	segment string
	next    int32
}

// methodIndex is the template a method ends at on a node.
type methodIndex struct {
	method string
	index  int
}

// Option changes how a Matcher matches.
type Option func(*Matcher)

// WithTrailingSlash makes the Matcher also accept a path with one trailing slash for the
// templates (by index) accept reports true for. Without it, a trailing slash matches nothing,
// since the document's paths have none: the real API routes some with one (ClickPipe creation)
// and answers its gateway's 404 for the others, and only the caller knows which it wants.
func WithTrailingSlash(accept func(i int) bool) Option {
	return func(m *Matcher) { m.trailingSlash = accept }
}

// New builds a Matcher over templates. The first of duplicate templates wins.
func New(templates []Template, opts ...Option) *Matcher {
	// Paths share most of their nodes, so a path has at most about one of its own.
	m := &Matcher{templates: slices.Clone(templates), nodes: make([]node, 1, len(templates)+1)}
	for _, o := range opts {
		o(m)
	}
	for i, t := range m.templates {
		n := int32(0)
		for seg := range strings.SplitSeq(strings.TrimPrefix(t.Path, "/"), "/") {
			n = m.child(n, seg)
		}
		if _, dup := m.nodes[n].method(t.Method); !dup {
			m.nodes[n].methods = append(m.nodes[n].methods, methodIndex{t.Method, i})
		}
	}
	return m
}

// child returns the node below n for a template segment, adding it when there is none.
func (m *Matcher) child(n int32, seg string) int32 {
	if isParam(seg) {
		if m.nodes[n].param == 0 {
			m.nodes = append(m.nodes, node{})
			m.nodes[n].param = int32(len(m.nodes) - 1)
		}
		return m.nodes[n].param
	}
	if next, ok := m.nodes[n].literal(seg); ok {
		return next
	}
	m.nodes = append(m.nodes, node{})
	next := int32(len(m.nodes) - 1)
	m.nodes[n].literals = append(m.nodes[n].literals, edge{seg, next})
	return next
}

// literal returns the child of n for a literal segment.
func (n *node) literal(seg string) (int32, bool) {
	for _, e := range n.literals {
		if e.segment == seg {
			return e.next, true
		}
	}
	return 0, false
}

// method returns the index of the template that ends at n for method.
func (n *node) method(method string) (int, bool) {
	for _, mi := range n.methods {
		if mi.method == method {
			return mi.index, true
		}
	}
	return 0, false
}

// Match returns the index of the template for method and an escaped path (url.URL.EscapedPath,
// no query), or false. It allocates nothing.
func (m *Matcher) Match(method, escapedPath string) (int, bool) {
	if i := m.find(0, method, strings.TrimPrefix(escapedPath, "/")); i >= 0 {
		return i, true
	}
	if m.trailingSlash != nil {
		if trimmed, cut := strings.CutSuffix(escapedPath, "/"); cut && trimmed != "" {
			if i := m.find(0, method, strings.TrimPrefix(trimmed, "/")); i >= 0 && m.trailingSlash(i) {
				return i, true
			}
		}
	}
	return -1, false
}

// Params returns the values, unescaped, of the path parameters of template i in an escaped path
// that Match matched to it; nil when the template has none.
func (m *Matcher) Params(i int, escapedPath string) map[string]string {
	tmpl := strings.TrimPrefix(m.templates[i].Path, "/")
	rest := strings.TrimPrefix(escapedPath, "/")
	var params map[string]string
	for tmpl != "" {
		var t, seg string
		t, tmpl, _ = strings.Cut(tmpl, "/")
		seg, rest, _ = strings.Cut(rest, "/")
		if isParam(t) {
			v, err := url.PathUnescape(seg)
			if err != nil { // Match would not have matched it
				continue
			}
			if params == nil {
				params = map[string]string{}
			}
			params[t[1:len(t)-1]] = v
		}
	}
	return params
}

// find returns the index of the template for method at the path rest below node n, or -1: the
// literal branch first, then the parameter branch.
func (m *Matcher) find(n int32, method, rest string) int {
	seg, tail, more := strings.Cut(rest, "/")
	if next, ok := m.nodes[n].literal(seg); ok {
		if more {
			if i := m.find(next, method, tail); i >= 0 {
				return i
			}
		} else if i, ok := m.nodes[next].method(method); ok {
			return i
		}
	}
	param := m.nodes[n].param
	if param == 0 || !paramValue(seg) {
		return -1
	}
	if more {
		return m.find(param, method, tail)
	}
	if i, ok := m.nodes[param].method(method); ok {
		return i
	}
	return -1
}

// Methods returns the methods of the templates that match an escaped path, whatever their method,
// in template order; nil when none does. It tells "no such path" from "not this method" (an HTTP
// 405, or a CLI's hint).
func (m *Matcher) Methods(escapedPath string) []string {
	var idx []int
	var walk func(n int32, rest string)
	walk = func(n int32, rest string) {
		seg, tail, more := strings.Cut(rest, "/")
		children := make([]int32, 0, 2)
		if next, ok := m.nodes[n].literal(seg); ok {
			children = append(children, next)
		}
		if param := m.nodes[n].param; param != 0 && paramValue(seg) {
			children = append(children, param)
		}
		for _, c := range children {
			if more {
				walk(c, tail)
				continue
			}
			for _, mi := range m.nodes[c].methods {
				idx = append(idx, mi.index)
			}
		}
	}
	walk(0, strings.TrimPrefix(escapedPath, "/"))
	if len(idx) == 0 {
		return nil
	}
	slices.Sort(idx)
	var out []string
	for _, i := range idx {
		if !slices.Contains(out, m.templates[i].Method) {
			out = append(out, m.templates[i].Method)
		}
	}
	return out
}

// isParam reports whether a template segment is a path parameter ("{serviceId}").
func isParam(seg string) bool {
	return len(seg) >= 2 && seg[0] == '{' && seg[len(seg)-1] == '}'
}

// paramValue reports whether an escaped segment can be a parameter's value: not empty, and
// unescaping (checked only when there is something to unescape).
func paramValue(seg string) bool {
	if seg == "" {
		return false
	}
	if strings.IndexByte(seg, '%') < 0 {
		return true
	}
	_, err := url.PathUnescape(seg)
	return err == nil
}
