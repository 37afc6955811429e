package cloudtest

import (
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/chcloud-dev/chcloud/spec"
)

// route is one operation of the document, ready to match and validate requests.
type route struct {
	op       spec.Operation
	params   []string // path parameter names, in path order (op.PathParams)
	kin      *routers.Route
	success  int                 // documented success status (200 or 201)
	response *openapi3.SchemaRef // schema of the success body, nil when none
	mimeType string              // content type of the success body
	result   *openapi3.SchemaRef // schema of the envelope's "result", nil when none

	hasQuery bool // the operation documents query parameters
}

// router matches a request path against every operation of the document, through spec's matcher.
type router struct {
	matcher *spec.Matcher
	routes  []*route // by index in the operations given to newRouter, as the matcher answers
	byID    map[string]*route
}

func newRouter(doc *openapi3.T, ops []spec.Operation) (*router, error) {
	rt := &router{
		matcher: spec.NewMatcher(ops, spec.WithTrailingSlash(func(op spec.Operation) bool { return trailingSlashOK[op.ID] })),
		routes:  make([]*route, len(ops)),
		byID:    map[string]*route{},
	}
	for i, op := range ops {
		item := doc.Paths.Value(op.Path)
		if item == nil {
			return nil, fmt.Errorf("cloudtest: path %s missing from the loaded document", op.Path)
		}
		operation := item.GetOperation(op.Method)
		if operation == nil {
			return nil, fmt.Errorf("cloudtest: %s %s missing from the loaded document", op.Method, op.Path)
		}
		r := &route{op: op, kin: &routers.Route{Spec: doc, Path: op.Path, PathItem: item, Method: op.Method, Operation: operation}}
		r.describeSuccess(operation)
		r.params = op.PathParams
		for _, params := range []openapi3.Parameters{item.Parameters, operation.Parameters} {
			for _, p := range params {
				r.hasQuery = r.hasQuery || (p.Value != nil && p.Value.In == openapi3.ParameterInQuery)
			}
		}
		rt.routes[i] = r
		rt.byID[op.ID] = r
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

// match finds the operation for method and an escaped path, with its path parameters unescaped.
func (rt *router) match(method, escapedPath string) (*route, map[string]string) {
	i, values, ok := rt.matcher.MatchIndex(method, escapedPath)
	if !ok {
		return nil, nil
	}
	return rt.routes[i], values
}
