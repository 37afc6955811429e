package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// validateRequest checks a request against the published document before it is sent, and
// returns an error naming the parameter or body field that is wrong.
func validateRequest(ctx context.Context, op spec.Operation, req *http.Request, pathParams map[string]string) error {
	defineFormats()
	doc, err := specdoc.OpenAPI()
	if err != nil {
		return err
	}
	item := doc.Paths.Find(op.Path)
	if item == nil {
		return fmt.Errorf("the document has no path %s", op.Path)
	}
	operation := item.GetOperation(op.Method)
	if operation == nil {
		return fmt.Errorf("the document has no %s %s", op.Method, op.Path)
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: pathParams,
		Route:      &routers.Route{Spec: doc, Path: op.Path, PathItem: item, Method: op.Method, Operation: operation},
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			MultiError:         true,
		},
	}
	err = openapi3filter.ValidateRequest(ctx, input)
	if err == nil {
		return nil
	}
	return describe(op, err)
}

// describe rewrites kin-openapi's errors into one line per problem that names the parameter or
// the body field (as a JSON pointer) and says what is wrong with it, without the schema dumps.
func describe(op spec.Operation, err error) error {
	var problems []string
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				walk(inner)
			}
		case *openapi3filter.RequestError:
			switch {
			case e.Parameter != nil:
				problems = append(problems, fmt.Sprintf("%s parameter %q: %s", e.Parameter.In, e.Parameter.Name, reason(e)))
			case e.RequestBody != nil && e.Err != nil:
				for _, p := range bodyProblems(e.Err) {
					problems = append(problems, "request body: "+p)
				}
			case e.RequestBody != nil:
				problems = append(problems, "request body: "+e.Reason)
			default:
				problems = append(problems, e.Error())
			}
		case *openapi3filter.SecurityRequirementsError:
			// credentials are the SDK's business, not the document's
		default:
			problems = append(problems, err.Error())
		}
	}
	walk(err)
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("the request does not match the API document for %s (%s %s):\n  %s",
		op.ID, op.Method, op.Path, strings.Join(problems, "\n  "))
}

func reason(e *openapi3filter.RequestError) string {
	var schemaErr *openapi3.SchemaError
	if errors.As(e.Err, &schemaErr) {
		return specdoc.ConciseReason(schemaErr.Reason)
	}
	if e.Err != nil {
		return specdoc.ConciseReason(e.Err.Error())
	}
	return e.Reason
}

func bodyProblems(err error) []string {
	if err == nil {
		return nil
	}
	if multi, ok := err.(openapi3.MultiError); ok {
		var out []string
		for _, e := range multi {
			out = append(out, bodyProblems(e)...)
		}
		return out
	}
	if schemaErr, ok := err.(*openapi3.SchemaError); ok {
		field := "/" + strings.Join(schemaErr.JSONPointer(), "/")
		reason := specdoc.ConciseReason(schemaErr.Reason)
		if alternatives := oneOfBranches(schemaErr); len(alternatives) > 1 {
			if closest := leafProblems(closestBranch(alternatives)); len(closest) > 0 {
				if len(closest) > 3 {
					closest = append(closest[:3], fmt.Sprintf("and %d more", len(closest)-3))
				}
				reason = fmt.Sprintf("fits none of the %d forms the document allows; in the closest one, %s",
					len(alternatives), strings.Join(closest, "; "))
			}
		}
		if field == "/" {
			return []string{reason}
		}
		return []string{fmt.Sprintf("field %q: %s", field, reason)}
	}
	return []string{err.Error()}
}

// leafProblems describes what is wrong in err, going down nested oneOfs to their closest form,
// so that the message names the field to fix rather than each level of alternatives.
func leafProblems(err error) []string {
	switch e := err.(type) {
	case openapi3.MultiError:
		var out []string
		for _, inner := range e {
			out = append(out, leafProblems(inner)...)
		}
		return out
	case *openapi3.SchemaError:
		if alternatives := oneOfBranches(e); len(alternatives) > 1 {
			return leafProblems(closestBranch(alternatives))
		}
	}
	return bodyProblems(err)
}

// oneOfBranches returns, for a value that matched no branch of a oneOf, each branch's errors.
// kin-openapi keeps them in the error's Origin.
func oneOfBranches(e *openapi3.SchemaError) openapi3.MultiError {
	if e.SchemaField != "oneOf" || e.Origin == nil {
		return nil
	}
	var branches openapi3.MultiError
	if !errors.As(e.Origin, &branches) {
		return nil
	}
	return branches
}

// closestBranch picks the branch whose errors reach deepest into the value: the form the user
// most likely meant (for a ClickPipe source, the one whose fields they filled in), so that its
// problems say what to fix rather than "matches none of 5 schemas".
func closestBranch(branches openapi3.MultiError) error {
	best, bestDepth := branches[0], -1
	for _, b := range branches {
		if d := errorDepth(b); d > bestDepth {
			best, bestDepth = b, d
		}
	}
	return best
}

func errorDepth(err error) int {
	switch e := err.(type) {
	case openapi3.MultiError:
		depth := 0
		for _, inner := range e {
			depth = max(depth, errorDepth(inner))
		}
		return depth
	case *openapi3.SchemaError:
		return len(e.JSONPointer())
	}
	return 0
}

// ValidateBody checks a JSON request body for an operation against the document, for curated
// commands that take a whole body from a file (clickpipe create, role create). Errors are usage
// errors naming the field.
func ValidateBody(ctx context.Context, operationID string, body []byte) error {
	defineFormats()
	op, ok := spec.Lookup(operationID)
	if !ok {
		return fmt.Errorf("unknown operation %q", operationID)
	}
	doc, err := specdoc.OpenAPI()
	if err != nil {
		return err
	}
	item := doc.Paths.Find(op.Path)
	if item == nil || item.GetOperation(op.Method) == nil || item.GetOperation(op.Method).RequestBody == nil {
		return fmt.Errorf("%s takes no request body", operationID)
	}
	operation := item.GetOperation(op.Method)
	req, err := http.NewRequestWithContext(ctx, op.Method, "http://validation.invalid"+op.Path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	input := &openapi3filter.RequestValidationInput{
		Request: req,
		Route:   &routers.Route{Spec: doc, Path: op.Path, PathItem: item, Method: op.Method, Operation: operation},
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	if err := openapi3filter.ValidateRequestBody(ctx, input, operation.RequestBody.Value); err != nil {
		if described := describe(op, err); described != nil {
			return cmdutil.UsageErrorf("%w", described)
		}
	}
	return nil
}

// defineFormats makes kin-openapi check "format: uuid", which it ignores by default, so a typo in
// an ID fails here. Any 8-4-4-4-12 hex string passes: the API's IDs are not all RFC 4122 versions.
// kin-openapi keeps formats in a global table; in the CLI nothing else shares the process.
var defineFormats = sync.OnceFunc(func() {
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(
		`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`))
})
