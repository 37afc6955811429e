package cloudtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// validateRequest checks a request against its operation in the published document with
// specdoc.CheckRequest, the validator the CLI uses too, and returns an error whose text reads like
// the real API's BAD_REQUEST messages. What comes first is reported: a path parameter, then the
// body, then a query parameter.
func validateRequest(r *http.Request, body []byte, rt *route, params map[string]string) error {
	var query url.Values
	if rt.hasQuery {
		query = r.URL.Query()
	}
	rb := rt.kin.Operation.RequestBody
	hasBody := rb != nil && rb.Value != nil
	var judged []byte
	if hasBody {
		judged = body
	}
	verdict, err := specdoc.CheckRequest(rt.op.ID, params, query, judged)
	for _, p := range verdict.Parameters {
		if p.In == "path" {
			return invalidParameter{p.Name, errors.New(p.Reason)}
		}
	}
	if hasBody {
		if err := validateBody(r, body, rb.Value, verdict, err); err != nil {
			return err
		}
	} else if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	if len(verdict.Parameters) > 0 { // only query parameters are left
		p := verdict.Parameters[0]
		return invalidParameter{p.In + " parameter " + p.Name, errors.New(p.Reason)}
	}
	return nil
}

// validateBody reports the body's part of specdoc.CheckRequest's verdict (err is its error), so
// the fake accepts what the real API accepts although the document forbids it (specdoc's
// request-deviations.yaml) and refuses everything else the document forbids. The message reads
// like the real API's: "request body.source.kafka.brokers: declared string, got number".
func validateBody(r *http.Request, body []byte, rb *openapi3.RequestBody, verdict specdoc.RequestVerdict, err error) error {
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
	if len(verdict.Problems) == 0 {
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

// invalidParameter reads like the real API: "Invalid serviceId: ...", "Invalid query parameter
// limit: ...".
type invalidParameter struct {
	name string
	err  error
}

func (e invalidParameter) Error() string { return "Invalid " + e.name + ": " + e.err.Error() }
func (e invalidParameter) Unwrap() error { return e.err }
