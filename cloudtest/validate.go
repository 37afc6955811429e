package cloudtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// validateRequest checks a request against its operation in the published document and returns
// an error whose text reads like the real API's BAD_REQUEST messages. Path parameters are
// checked here (they are all plain strings, UUIDs, patterns or integers, and kin-openapi would
// compile a JSON Schema validator per call, the main cost of a GET); query parameters that are
// present or required go through kin-openapi; the body goes to specdoc.CheckRequestBody.
func validateRequest(r *http.Request, body []byte, rt *route, params map[string]string) error {
	for _, p := range rt.pathChecks {
		if err := p.check(params[p.name]); err != nil {
			return invalidParameter{p.name, err}
		}
	}
	if rb := rt.kin.Operation.RequestBody; rb != nil && rb.Value != nil {
		if err := validateBody(r, body, rt.op.ID, rb.Value); err != nil {
			return err
		}
	}
	if len(rt.queryParams) == 0 {
		return nil
	}
	clone := r.Clone(r.Context())
	clone.Body = io.NopCloser(bytes.NewReader(body))
	clone.ContentLength = int64(len(body))
	if len(bytes.TrimSpace(body)) == 0 {
		clone.Body = http.NoBody
		clone.ContentLength = 0
	}
	if len(body) > 0 && clone.Header.Get("Content-Type") == "" {
		clone.Header = clone.Header.Clone()
		clone.Header.Set("Content-Type", "application/json")
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    clone,
		PathParams: params,
		Route:      rt.kin,
		Options:    requestOptions,
	}
	ctx := context.Background()
	query := input.GetQueryParams()
	for _, p := range rt.queryParams {
		if _, present := query[p.Name]; !present && !p.Required {
			continue
		}
		if err := openapi3filter.ValidateParameter(ctx, input, p); err != nil {
			return errors.New(describeRequestError(err))
		}
	}
	return nil
}

// validateBody checks a JSON body with specdoc.CheckRequestBody, the validator the CLI uses too,
// so the fake accepts what the real API accepts although the document forbids it (specdoc's
// request-deviations.yaml) and refuses everything else the document forbids. The message reads
// like the real API's: "request body.source.kafka.brokers: declared string, got number".
func validateBody(r *http.Request, body []byte, operationID string, rb *openapi3.RequestBody) error {
	if len(bytes.TrimSpace(body)) == 0 {
		if rb.Required {
			return errors.New("request body: value is required but missing")
		}
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return fmt.Errorf("request body: unsupported content type %q", ct)
		}
	}
	verdict, err := specdoc.CheckRequestBody(operationID, body)
	switch {
	case errors.Is(err, specdoc.ErrBodyNotJSON):
		return notJSON(body)
	case errors.Is(err, specdoc.ErrNoRequestBody):
		return nil // a body the document has no JSON schema for: nothing to check it against
	case err != nil:
		return fmt.Errorf("request body: %w", err)
	}
	if kind := jsonKind(body); kind != "object" && wantsObject(rb) {
		// The document's request schemas list properties without saying "type: object", so the
		// shared validator lets an array or a string through and the handler's decoder used to
		// answer with Go type names. The real API refuses such a body as a bad request.
		return fmt.Errorf("request body: declared object, got %s", kind)
	}
	if verdict.OK() {
		return nil
	}
	msgs := specdoc.Messages(verdict.Problems)
	lines := make([]string, len(msgs))
	for i, m := range msgs {
		if len(m.Pointer) == 0 {
			lines[i] = "request body: " + m.Text
		} else {
			lines[i] = "request body." + strings.Join(m.Pointer, ".") + ": " + m.Text
		}
	}
	return errors.New(strings.Join(lines, "; "))
}

// notJSON says where a body stops being JSON, without the decoder's Go vocabulary.
func notJSON(body []byte) error {
	var v any
	var syntax *json.SyntaxError
	if err := json.Unmarshal(body, &v); errors.As(err, &syntax) {
		return fmt.Errorf("request body: not valid JSON (at byte %d)", syntax.Offset)
	}
	return errors.New("request body: not valid JSON")
}

// jsonKind names the kind of a JSON document by its first character: object, array, string,
// number, boolean or null.
func jsonKind(body []byte) string {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return "nothing"
	}
	switch trimmed[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// wantsObject reports whether the operation's JSON body must be an object: its schema has
// type object, properties, or forms (oneOf, anyOf, allOf) that all must be objects. Every request
// body of the document is one today; a future array body would not be refused here.
func wantsObject(rb *openapi3.RequestBody) bool {
	media := rb.Content.Get("application/json")
	if media == nil {
		return false
	}
	return schemaWantsObject(media.Schema, 0)
}

func schemaWantsObject(ref *openapi3.SchemaRef, depth int) bool {
	if ref == nil || ref.Value == nil || depth > 8 {
		return false
	}
	s := ref.Value
	if s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0 {
		return true
	}
	for _, f := range s.AllOf {
		if schemaWantsObject(f, depth+1) {
			return true // every part must hold, so one object part makes the whole an object
		}
	}
	for _, forms := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		if len(forms) == 0 {
			continue
		}
		all := true
		for _, f := range forms {
			all = all && schemaWantsObject(f, depth+1)
		}
		if all {
			return true
		}
	}
	return false
}

// invalidParameter reads like the real API: "Invalid serviceId: ...".
type invalidParameter struct {
	name string
	err  error
}

func (e invalidParameter) Error() string { return "Invalid " + e.name + ": " + e.err.Error() }
func (e invalidParameter) Unwrap() error { return e.err }

// pathCheck validates one path parameter.
type pathCheck struct {
	name    string
	uuid    bool
	pattern *regexp.Regexp
	integer bool
	min     *float64 // exclusive lower bound for integers
}

func newPathCheck(p *openapi3.Parameter) pathCheck {
	c := pathCheck{name: p.Name}
	if p.Schema == nil || p.Schema.Value == nil {
		return c
	}
	s := p.Schema.Value
	c.uuid = s.Format == "uuid"
	if s.Pattern != "" {
		c.pattern = compiledPattern(s.Pattern)
	}
	c.integer = s.Type.Is(openapi3.TypeInteger)
	c.min = s.ExclusiveMin.Value
	return c
}

func (c pathCheck) check(v string) error {
	switch {
	case c.uuid && !uuidPattern.MatchString(v):
		return fmt.Errorf("%q is not a valid UUID", v)
	case c.pattern != nil && !c.pattern.MatchString(v):
		return fmt.Errorf("%q does not match %s", v, c.pattern)
	case c.integer:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not an integer", v)
		}
		if c.min != nil && float64(n) <= *c.min {
			return fmt.Errorf("must be greater than %v", *c.min)
		}
	}
	return nil
}

var requestOptions = &openapi3filter.Options{
	AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc, // the server checks keys itself
	SkipSettingDefaults:     true,
	SchemaValidationOptions: validationOptions(),
}

// describeRequestError turns a kin-openapi error into "where: what", e.g.
// "request body.numReplicas: number must be at most 20" or "Invalid serviceId: ...".
func describeRequestError(err error) string {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return err.Error()
	}
	reason := re.Reason
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		reason = se.Reason
		if ptr := se.JSONPointer(); len(ptr) > 0 && re.RequestBody != nil {
			return fmt.Sprintf("request body.%s: %s", strings.Join(ptr, "."), reason)
		}
	} else if re.Err != nil {
		if reason == "" {
			reason = re.Err.Error()
		} else {
			reason += ": " + re.Err.Error()
		}
	}
	reason = specdoc.ConciseReason(reason)
	switch {
	case re.Parameter != nil && re.Parameter.In == openapi3.ParameterInPath:
		return fmt.Sprintf("Invalid %s: %s", re.Parameter.Name, reason)
	case re.Parameter != nil:
		return fmt.Sprintf("Invalid %s parameter %s: %s", re.Parameter.In, re.Parameter.Name, reason)
	case re.RequestBody != nil:
		return "request body: " + reason
	}
	return reason
}
