package spec

import (
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Matcher finds the operation of a request from its method and path. It is the one matcher of
// the module: the SDK, the fake server and the CLI all route through it, so that they cannot
// disagree on which operation a path is.
//
// Paths are matched segment by segment. A literal segment wins over a path parameter at the same
// position (…/services/query before …/services/{serviceId}); when the literal branch has no
// operation for the method, the parameter branch is tried. A parameter never matches an empty
// segment. A Matcher is immutable and safe for concurrent use.
type Matcher struct {
	ops           []Operation
	root          *matchNode
	trailingSlash func(Operation) bool
}

// matchNode is one position of the path trie.
type matchNode struct {
	literal map[string]*matchNode
	param   *matchNode
	methods map[string]int // method -> index in Matcher.ops, on the node a template ends at
}

// MatchOption changes how a Matcher matches.
type MatchOption func(*Matcher)

// WithTrailingSlash makes the Matcher also accept a path with one trailing slash for the
// operations accept reports true for. Without it, a trailing slash matches nothing, since the
// document's paths have none: the real API routes some with one (ClickPipe creation) and answers
// its gateway's 404 for the others, and only the caller knows which it wants to mimic.
func WithTrailingSlash(accept func(Operation) bool) MatchOption {
	return func(m *Matcher) { m.trailingSlash = accept }
}

// NewMatcher builds a Matcher over ops (usually Operations()). ops is kept, not copied: callers
// must not modify it afterwards.
func NewMatcher(ops []Operation, opts ...MatchOption) *Matcher {
	m := &Matcher{ops: ops, root: &matchNode{}}
	for _, o := range opts {
		o(m)
	}
	for i, op := range ops {
		node := m.root
		for _, seg := range strings.Split(strings.TrimPrefix(op.Path, "/"), "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				if node.param == nil {
					node.param = &matchNode{}
				}
				node = node.param
				continue
			}
			next, ok := node.literal[seg]
			if !ok {
				if node.literal == nil {
					node.literal = map[string]*matchNode{}
				}
				next = &matchNode{}
				node.literal[seg] = next
			}
			node = next
		}
		if node.methods == nil {
			node.methods = map[string]int{}
		}
		if _, dup := node.methods[op.Method]; !dup { // the first of duplicates wins, as in ops order
			node.methods[op.Method] = i
		}
	}
	return m
}

var defaultMatcher = sync.OnceValues(func() (*Matcher, error) {
	ops, err := Operations()
	if err != nil {
		return nil, err
	}
	return NewMatcher(ops), nil
})

// DefaultMatcher returns the Matcher of the embedded document, without trailing slashes, built
// once on first use.
func DefaultMatcher() (*Matcher, error) { return defaultMatcher() }

// Match finds the operation of the embedded document for method and an escaped path
// (url.URL.EscapedPath, no query), with the values of its path parameters, unescaped. ok is false
// when no operation matches, or when the embedded document cannot be read (Operations reports why).
func Match(method, escapedPath string) (op Operation, params map[string]string, ok bool) {
	m, err := defaultMatcher()
	if err != nil {
		return Operation{}, nil, false
	}
	return m.Match(method, escapedPath)
}

// Match finds the operation for method (upper case) and an escaped path, with the values of its
// path parameters, unescaped. A segment that does not unescape matches no parameter.
func (m *Matcher) Match(method, escapedPath string) (Operation, map[string]string, bool) {
	i, params, ok := m.MatchIndex(method, escapedPath)
	if !ok {
		return Operation{}, nil, false
	}
	return m.ops[i], params, true
}

// MatchIndex is Match returning the index of the operation in the slice given to NewMatcher, for
// callers that keep their own data per operation. params is nil when the template has none.
func (m *Matcher) MatchIndex(method, escapedPath string) (int, map[string]string, bool) {
	if i, params, ok := m.matchExact(method, escapedPath); ok {
		return i, params, true
	}
	if m.trailingSlash != nil {
		if trimmed, cut := strings.CutSuffix(escapedPath, "/"); cut && trimmed != "" {
			if i, params, ok := m.matchExact(method, trimmed); ok && m.trailingSlash(m.ops[i]) {
				return i, params, true
			}
		}
	}
	return -1, nil, false
}

func (m *Matcher) matchExact(method, escapedPath string) (int, map[string]string, bool) {
	rest := strings.TrimPrefix(escapedPath, "/")
	i := m.root.find(method, rest)
	if i < 0 {
		return -1, nil, false
	}
	op := m.ops[i]
	if len(op.PathParams) == 0 {
		return i, nil, true
	}
	// The trie holds no values: walk the template and the path side by side once more, which
	// allocates nothing but the map the caller gets.
	params := make(map[string]string, len(op.PathParams))
	tmpl := strings.TrimPrefix(op.Path, "/")
	for tmpl != "" {
		var t, seg string
		t, tmpl, _ = strings.Cut(tmpl, "/")
		seg, rest, _ = strings.Cut(rest, "/")
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			v, err := url.PathUnescape(seg) // cannot fail: find checked it
			if err != nil {
				return -1, nil, false
			}
			params[t[1:len(t)-1]] = v
		}
	}
	return i, params, true
}

// find returns the index of the operation for method at the path rest below n, or -1: the literal
// branch first, then the parameter branch.
func (n *matchNode) find(method, rest string) int {
	seg, tail, more := strings.Cut(rest, "/")
	if next, ok := n.literal[seg]; ok {
		if more {
			if i := next.find(method, tail); i >= 0 {
				return i
			}
		} else if i, ok := next.methods[method]; ok {
			return i
		}
	}
	if n.param == nil || !paramValue(seg) {
		return -1
	}
	if more {
		return n.param.find(method, tail)
	}
	if i, ok := n.param.methods[method]; ok {
		return i
	}
	return -1
}

// Methods returns the methods of the operations whose path template matches an escaped path,
// whatever their method, in the order of the operations; nil when none does. It tells "no such
// path" from "not this method" (an HTTP 405, or a CLI's hint).
func (m *Matcher) Methods(escapedPath string) []string {
	var idx []int
	var walk func(n *matchNode, rest string)
	walk = func(n *matchNode, rest string) {
		seg, tail, more := strings.Cut(rest, "/")
		children := make([]*matchNode, 0, 2)
		if next, ok := n.literal[seg]; ok {
			children = append(children, next)
		}
		if n.param != nil && paramValue(seg) {
			children = append(children, n.param)
		}
		for _, c := range children {
			if more {
				walk(c, tail)
				continue
			}
			for _, i := range c.methods {
				idx = append(idx, i)
			}
		}
	}
	walk(m.root, strings.TrimPrefix(escapedPath, "/"))
	if len(idx) == 0 {
		return nil
	}
	slices.Sort(idx)
	var out []string
	for _, i := range idx {
		if !slices.Contains(out, m.ops[i].Method) {
			out = append(out, m.ops[i].Method)
		}
	}
	return out
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
