package api

import (
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
// returns an error naming the parameter or body field that is wrong. Parameters go through
// kin-openapi; the body goes to specdoc.CheckRequestBody, the validator the fake server uses
// too, which accepts what the real API accepts although the document forbids it.
func validateRequest(ctx context.Context, op spec.Operation, req *http.Request, pathParams map[string]string, body []byte) error {
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
			ExcludeRequestBody: true, // judged below, with the request deviations
		},
	}
	var problems []string
	if err := openapi3filter.ValidateRequest(ctx, input); err != nil {
		problems = parameterProblems(err)
	}
	if operation.RequestBody != nil && len(body) > 0 {
		lines, err := bodyProblems(op.ID, body)
		if err != nil {
			return err
		}
		problems = append(problems, lines...)
	}
	if len(problems) == 0 {
		return nil
	}
	return mismatch(op, problems)
}

func mismatch(op spec.Operation, problems []string) error {
	return fmt.Errorf("the request does not match the API document for %s (%s %s):\n  %s",
		op.ID, op.Method, op.Path, strings.Join(problems, "\n  "))
}

// bodyProblems judges a body with specdoc.CheckRequestBody and returns one line per field that
// refuses it ("request body: field "/password": needs an upper-case letter and a digit"). The
// error is for a body that cannot be judged (not JSON).
func bodyProblems(operationID string, body []byte) ([]string, error) {
	verdict, err := specdoc.CheckRequestBody(operationID, body)
	if err != nil {
		return nil, err
	}
	lines := specdoc.Describe(verdict.Problems)
	for i, l := range lines {
		lines[i] = "request body: " + l
	}
	return lines, nil
}

// parameterProblems rewrites kin-openapi's errors into one line per parameter that says what is
// wrong with it, without the schema dumps.
func parameterProblems(err error) []string {
	var problems []string
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				walk(inner)
			}
		case *openapi3filter.RequestError:
			if e.Parameter != nil {
				problems = append(problems, fmt.Sprintf("%s parameter %q: %s", e.Parameter.In, e.Parameter.Name, reason(e)))
			} else {
				problems = append(problems, e.Error())
			}
		case *openapi3filter.SecurityRequirementsError:
			// credentials are the SDK's business, not the document's
		default:
			problems = append(problems, err.Error())
		}
	}
	walk(err)
	return problems
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

// NoValidateHelp is the help of --no-validate on every command that checks a body before sending.
const NoValidateHelp = "send the request without checking it against the API document first"

// ValidateBody checks a JSON request body for an operation against the document, for curated
// commands that take a whole body from a file (clickpipe create, role create). Errors are usage
// errors naming the field, with a hint at --no-validate, which every such command has.
func ValidateBody(_ context.Context, operationID string, body []byte) error {
	op, ok := spec.Lookup(operationID)
	if !ok {
		return fmt.Errorf("unknown operation %q", operationID)
	}
	problems, err := bodyProblems(operationID, body)
	switch {
	case errors.Is(err, specdoc.ErrBodyNotJSON):
		return cmdutil.UsageErrorf("%w", err)
	case err != nil:
		return err
	case len(problems) > 0:
		return cmdutil.WithHint(cmdutil.UsageErrorf("%w", mismatch(op, problems)),
			"fix the field, or pass --no-validate to send it anyway")
	}
	return nil
}

// defineFormats makes kin-openapi check "format: uuid" in parameters, which it ignores by
// default, so a typo in an ID fails here. Any 8-4-4-4-12 hex string passes: the API's IDs are not
// all RFC 4122 versions. kin-openapi keeps formats in a global table; in the CLI nothing else
// shares the process.
var defineFormats = sync.OnceFunc(func() {
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(
		`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`))
})
