package cloudtest

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/chcloud-dev/chcloud/spec"
)

// route is one operation of the document, ready to match and validate requests.
type route struct {
	op       spec.Operation
	segments []string // literal segments, or "" where a path parameter goes
	params   []string // parameter names, in path order
	literals int      // number of literal segments: the more, the more specific
	kin      *routers.Route
	success  int                 // documented success status (200 or 201)
	response *openapi3.SchemaRef // schema of the success body, nil when none
	mimeType string              // content type of the success body
	result   *openapi3.SchemaRef // schema of the envelope's "result", nil when none

	pathChecks  []pathCheck           // checks of the path parameters
	queryParams []*openapi3.Parameter // documented query parameters
}

// router matches a request path against every operation of the document.
type router struct {
	bySize map[int][]*route // by number of segments, most specific first
	byID   map[string]*route
}

func newRouter(doc *openapi3.T, ops []spec.Operation) (*router, error) {
	rt := &router{bySize: map[int][]*route{}, byID: map[string]*route{}}
	for _, op := range ops {
		item := doc.Paths.Value(op.Path)
		if item == nil {
			return nil, fmt.Errorf("cloudtest: path %s missing from the loaded document", op.Path)
		}
		operation := item.GetOperation(op.Method)
		if operation == nil {
			return nil, fmt.Errorf("cloudtest: %s %s missing from the loaded document", op.Method, op.Path)
		}
		r := &route{op: op, kin: &routers.Route{Spec: doc, Path: op.Path, PathItem: item, Method: op.Method, Operation: operation}}
		for _, seg := range strings.Split(strings.TrimPrefix(op.Path, "/"), "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				r.segments = append(r.segments, "")
				r.params = append(r.params, seg[1:len(seg)-1])
				continue
			}
			r.segments = append(r.segments, seg)
			r.literals++
		}
		r.describeSuccess(operation)
		for _, name := range r.params {
			p := operation.Parameters.GetByInAndName(openapi3.ParameterInPath, name)
			if p == nil {
				p = item.Parameters.GetByInAndName(openapi3.ParameterInPath, name)
			}
			if p == nil {
				return nil, fmt.Errorf("cloudtest: %s: path parameter %s undocumented", op.ID, name)
			}
			r.pathChecks = append(r.pathChecks, newPathCheck(p))
		}
		for _, params := range []openapi3.Parameters{item.Parameters, operation.Parameters} {
			for _, p := range params {
				if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
					r.queryParams = append(r.queryParams, p.Value)
				}
			}
		}
		rt.bySize[len(r.segments)] = append(rt.bySize[len(r.segments)], r)
		rt.byID[op.ID] = r
	}
	for _, rs := range rt.bySize {
		slices.SortStableFunc(rs, func(a, b *route) int { return b.literals - a.literals })
	}
	return rt, nil
}

func (r *route) describeSuccess(operation *openapi3.Operation) {
	for _, status := range []int{200, 201} {
		resp := operation.Responses.Status(status)
		if resp == nil || resp.Value == nil {
			continue
		}
		r.success = status
		for mime, media := range resp.Value.Content {
			r.mimeType, r.response = mime, media.Schema
		}
		if r.response != nil && r.response.Value != nil {
			r.result = r.response.Value.Properties["result"]
		}
		return
	}
	r.success = 200
}

// trailingSlashOK are the operations the real API also routes with a trailing slash on the path
// (other clients POST ClickPipes to .../clickpipes/). The document's paths have none, and other
// routes with one get the gateway's 404, since nobody has seen the real API accept them.
var trailingSlashOK = map[string]bool{"clickPipeCreate": true}

// match finds the operation for method and an escaped path.
func (rt *router) match(method, escapedPath string) (*route, map[string]string) {
	if r, values := rt.matchExact(method, escapedPath); r != nil {
		return r, values
	}
	if trimmed, ok := strings.CutSuffix(escapedPath, "/"); ok && trimmed != "" {
		if r, values := rt.matchExact(method, trimmed); r != nil && trailingSlashOK[r.op.ID] {
			return r, values
		}
	}
	return nil, nil
}

func (rt *router) matchExact(method, escapedPath string) (*route, map[string]string) {
	parts := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	for _, candidate := range rt.bySize[len(parts)] {
		values, ok := candidate.matchSegments(parts)
		if !ok {
			continue
		}
		if candidate.op.Method != method {
			continue
		}
		return candidate, values
	}
	return nil, nil
}

func (r *route) matchSegments(parts []string) (map[string]string, bool) {
	var values map[string]string
	p := 0
	for i, seg := range r.segments {
		if seg != "" {
			if parts[i] != seg {
				return nil, false
			}
			continue
		}
		v, err := url.PathUnescape(parts[i])
		if err != nil || v == "" {
			return nil, false
		}
		if values == nil {
			values = make(map[string]string, len(r.params))
		}
		values[r.params[p]] = v
		p++
	}
	return values, true
}
