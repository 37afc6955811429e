package spec

import (
	"sync"

	"github.com/chcloud-dev/chcloud/spec/route"
)

// Matcher finds the operation of the document from a request's method and path. The matching
// itself is package route's, which the SDK uses too (over its generated routes); Matcher adds the
// operations. A Matcher is immutable and safe for concurrent use.
type Matcher struct {
	ops    []Operation
	routes *route.Matcher
}

// MatchOption changes how a Matcher matches.
type MatchOption func(ops []Operation) route.Option

// WithTrailingSlash makes the Matcher also accept a path with one trailing slash for the
// operations accept reports true for (see route.WithTrailingSlash).
func WithTrailingSlash(accept func(Operation) bool) MatchOption {
	return func(ops []Operation) route.Option {
		return route.WithTrailingSlash(func(i int) bool { return accept(ops[i]) })
	}
}

// NewMatcher builds a Matcher over ops (usually Operations()). ops is kept, not copied: callers
// must not modify it afterwards.
func NewMatcher(ops []Operation, opts ...MatchOption) *Matcher {
	templates := make([]route.Template, len(ops))
	for i, op := range ops {
		templates[i] = route.Template{Method: op.Method, Path: op.Path}
	}
	routeOpts := make([]route.Option, len(opts))
	for i, o := range opts {
		routeOpts[i] = o(ops)
	}
	return &Matcher{ops: ops, routes: route.New(templates, routeOpts...)}
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
	i, ok := m.routes.Match(method, escapedPath)
	if !ok {
		return -1, nil, false
	}
	return i, m.routes.Params(i, escapedPath), true
}

// Methods returns the methods of the operations whose path template matches an escaped path,
// whatever their method, in the order of the operations; nil when none does. It tells "no such
// path" from "not this method" (an HTTP 405, or a CLI's hint).
func (m *Matcher) Methods(escapedPath string) []string { return m.routes.Methods(escapedPath) }
