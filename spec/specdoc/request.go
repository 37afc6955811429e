package specdoc

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// Errors of CheckRequestBody that are about its input, not about the body's fit to the document.
// Each comes wrapped with the operation or the parse error; test with errors.Is.
var (
	ErrUnknownOperation = errors.New("the API document has no such operation")
	ErrNoRequestBody    = errors.New("the operation takes no request body")
	ErrBodyNotJSON      = errors.New("the request body is not JSON")
)

// RequestVerdict is what CheckRequest says of one request, or CheckRequestBody of its body.
type RequestVerdict struct {
	// Operation is the operationId the request was judged for.
	Operation string
	// Parameters are the path and query parameters that refuse the request (CheckRequest only).
	Parameters []ParameterProblem
	// Problems are the differences of the body from the document that refuse the request.
	Problems []Problem
	// Accepted are differences from the document that the real API accepts all the same: each
	// is tolerated by an entry of request-deviations.yaml.
	Accepted []AcceptedProblem
}

// OK reports whether nothing refuses the request.
func (v RequestVerdict) OK() bool { return len(v.Problems) == 0 && len(v.Parameters) == 0 }

// AcceptedProblem is a difference from the document that a request deviation tolerates.
type AcceptedProblem struct {
	Problem
	Deviation *RequestDeviation
}

// CheckRequestBody judges a JSON request body for an operation of the published document (never
// the overlay: drift is measured against what ClickHouse publishes) with NewJudge(AsRequest()),
// and sets aside the problems that a request deviation tolerates, because the real API accepts
// those requests (see request-deviations.yaml). It is the one request-body validator: the CLI
// checks with it before sending, the fake server when receiving.
//
// An empty body (nothing but white space) is a problem when the document requires a body, and
// fine otherwise. The error is only for input that cannot be judged: an operation the document
// does not have (ErrUnknownOperation), one without a request body (ErrNoRequestBody), a body that
// is not JSON (ErrBodyNotJSON).
func CheckRequestBody(operationID string, body []byte) (RequestVerdict, error) {
	verdict := RequestVerdict{Operation: operationID}
	ops, err := requestBodies()
	if err != nil {
		return verdict, err
	}
	rb, known := ops[operationID]
	if !known {
		return verdict, fmt.Errorf("%w: %q", ErrUnknownOperation, operationID)
	}
	if rb.schema == nil {
		return verdict, fmt.Errorf("%s: %w", operationID, ErrNoRequestBody)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if rb.required {
			verdict.Problems = []Problem{{Keyword: "required", Schema: rb.schema, Missing: true,
				Reason: "the request body is required but missing"}}
		}
		return verdict, nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return verdict, fmt.Errorf("%w: %v (at byte %d)", ErrBodyNotJSON, err, syntax.Offset)
		}
		return verdict, fmt.Errorf("%w: %v", ErrBodyNotJSON, err)
	}
	if _, isObject := v.(map[string]any); !isObject && describesObject(rb.schema) {
		// Many request schemas list properties without saying type: object, which JSON Schema
		// reads as "anything that is not an object passes". Every body of this API is an object.
		verdict.Problems = []Problem{{Keyword: "type", Schema: rb.schema, Value: v,
			Reason: fmt.Sprintf("declared object, got %s", JSONType(v))}}
		return verdict, nil
	}
	problems := requestJudge().Check(rb.schema, v)
	if len(problems) == 0 {
		return verdict, nil
	}
	deviations, err := requestDeviationsByOperation()
	if err != nil {
		return verdict, err
	}
	for _, p := range problems {
		if d := matchingDeviation(deviations[operationID], p, v); d != nil {
			verdict.Accepted = append(verdict.Accepted, AcceptedProblem{Problem: p, Deviation: d})
		} else {
			verdict.Problems = append(verdict.Problems, p)
		}
	}
	return verdict, nil
}

// requestJudge is shared so that its cache of scalar keywords (per schema) serves every request.
// It is made on first use: its format checkers compile expressions, and every chcloud command
// links this package while few validate anything.
var requestJudge = sync.OnceValue(func() *Judge { return NewJudge(AsRequest()) })

type requestBody struct {
	schema   *openapi3.Schema // nil: the operation takes no body
	required bool
}

// requestBodies indexes the document's operations by operationId, with their JSON body schema.
var requestBodies = sync.OnceValues(func() (map[string]requestBody, error) {
	doc, err := OpenAPI()
	if err != nil {
		return nil, err
	}
	out := map[string]requestBody{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == "" {
				continue
			}
			var rb requestBody
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				if media := op.RequestBody.Value.Content.Get("application/json"); media != nil && media.Schema != nil {
					rb = requestBody{schema: media.Schema.Value, required: op.RequestBody.Value.Required}
				}
			}
			out[op.OperationID] = rb
		}
	}
	return out, nil
})

// What a request deviation accepts.
const (
	// AcceptsNull tolerates a null where the document does not allow one.
	AcceptsNull = "null"
	// AcceptsEmptyObject tolerates {} where the document asks for at least one field
	// (minProperties), or for fields the empty object lacks (required).
	AcceptsEmptyObject = "empty-object"
)

// RequestDeviation is one entry of request-deviations.yaml: a request the real API accepts although
// the document forbids it.
type RequestDeviation struct {
	Operation string `yaml:"operation"` // operationId
	Path      string `yaml:"path"`      // JSONPath pattern into the body: [*] any index, * any key
	Accepts   string `yaml:"accepts"`   // AcceptsNull or AcceptsEmptyObject
	Reason    string `yaml:"reason"`
	Reference string `yaml:"reference"` // a public source

	pattern []pathSegment
}

//go:embed request-deviations.yaml
var requestDeviationsYAML []byte

// RequestDeviations returns the request-side known deviations, in the file's order. Callers must
// not modify them.
func RequestDeviations() ([]*RequestDeviation, error) {
	list, err := parsedRequestDeviations()
	if err != nil {
		return nil, err
	}
	return slices.Clone(list), nil
}

var parsedRequestDeviations = sync.OnceValues(func() ([]*RequestDeviation, error) {
	return parseRequestDeviations(requestDeviationsYAML)
})

var requestDeviationsByOperation = sync.OnceValues(func() (map[string][]*RequestDeviation, error) {
	list, err := parsedRequestDeviations()
	if err != nil {
		return nil, err
	}
	out := map[string][]*RequestDeviation{}
	for _, d := range list {
		out[d.Operation] = append(out[d.Operation], d)
	}
	return out, nil
})

func parseRequestDeviations(raw []byte) ([]*RequestDeviation, error) {
	var file struct {
		Deviations []*RequestDeviation `yaml:"deviations"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true) // a misspelt field would silently widen or narrow an entry
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("specdoc: request-deviations.yaml: %w", err)
	}
	for i, d := range file.Deviations {
		where := fmt.Sprintf("specdoc: request-deviations.yaml entry %d (%s %s)", i+1, d.Operation, d.Path)
		switch {
		case d.Operation == "":
			return nil, fmt.Errorf("%s: no operation", where)
		case d.Accepts != AcceptsNull && d.Accepts != AcceptsEmptyObject:
			// A bare `accepts: null` in YAML is a null, not the string: it must be quoted.
			return nil, fmt.Errorf("%s: accepts %q, want %q or %q (quoted)", where, d.Accepts, AcceptsNull, AcceptsEmptyObject)
		case strings.TrimSpace(d.Reason) == "":
			return nil, fmt.Errorf("%s: no reason", where)
		}
		if u, err := url.Parse(d.Reference); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("%s: reference %q is not an https URL", where, d.Reference)
		}
		pattern, err := parsePathPattern(d.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		d.pattern = pattern
	}
	return file.Deviations, nil
}

// Pattern returns the deviation's path as segments: a property name, "*" (any key or index) or
// "[*]" (any array index). A literal index is its digits.
func (d *RequestDeviation) Pattern() []string {
	out := make([]string, len(d.pattern))
	for i, s := range d.pattern {
		switch {
		case s.anyIndex:
			out[i] = "[*]"
		case s.any:
			out[i] = "*"
		default:
			out[i] = s.name
		}
	}
	return out
}

// Tolerates reports whether the deviation accepts problem p of a body whose decoded value is root.
func (d *RequestDeviation) Tolerates(p Problem, root any) bool {
	switch d.Accepts {
	case AcceptsNull:
		return p.Keyword == "null" && !p.Missing && p.Value == nil && matchPath(d.pattern, p.Pointer)
	case AcceptsEmptyObject:
		switch {
		case p.Keyword == "minProperties":
			return isEmptyObject(p.Value) && matchPath(d.pattern, p.Pointer)
		case p.Keyword == "required" && p.Missing && len(p.Pointer) > 0:
			parent := p.Pointer[:len(p.Pointer)-1]
			return matchPath(d.pattern, parent) && isEmptyObject(valueAt(root, parent))
		}
	}
	return false
}

func matchingDeviation(list []*RequestDeviation, p Problem, root any) *RequestDeviation {
	for _, d := range list {
		if d.Tolerates(p, root) {
			return d
		}
	}
	return nil
}

type pathSegment struct {
	name     string
	any      bool // * : any key or index
	anyIndex bool // [*] : any array index
}

// parsePathPattern reads "$.a.b", "$.a[*].b", "$.a.*", "$['odd key']", "$.a[3]".
func parsePathPattern(p string) ([]pathSegment, error) {
	rest, ok := strings.CutPrefix(p, "$")
	if !ok {
		return nil, fmt.Errorf("path %q does not start with $", p)
	}
	var out []pathSegment
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "[*]"):
			out = append(out, pathSegment{anyIndex: true})
			rest = rest[3:]
		case strings.HasPrefix(rest, "['"):
			end := strings.Index(rest, "']")
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed ['", p)
			}
			out = append(out, pathSegment{name: strings.ReplaceAll(rest[2:end], `\'`, "'")})
			rest = rest[end+2:]
		case strings.HasPrefix(rest, "["):
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed [", p)
			}
			if _, err := strconv.Atoi(rest[1:end]); err != nil {
				return nil, fmt.Errorf("path %q: %q is not an index", p, rest[:end+1])
			}
			out = append(out, pathSegment{name: rest[1:end]})
			rest = rest[end+1:]
		case strings.HasPrefix(rest, "."):
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			name := rest[:end]
			if name == "" {
				return nil, fmt.Errorf("path %q: empty name", p)
			}
			if name == "*" {
				out = append(out, pathSegment{any: true})
			} else {
				out = append(out, pathSegment{name: name})
			}
			rest = rest[end:]
		default:
			return nil, fmt.Errorf("path %q: unexpected %q", p, rest)
		}
	}
	return out, nil
}

func matchPath(pattern []pathSegment, pointer []string) bool {
	if len(pattern) != len(pointer) {
		return false
	}
	for i, s := range pattern {
		switch {
		case s.any:
		case s.anyIndex:
			if n, err := strconv.Atoi(pointer[i]); err != nil || n < 0 {
				return false
			}
		case s.name != pointer[i]:
			return false
		}
	}
	return true
}

func valueAt(root any, pointer []string) any {
	cur := root
	for _, seg := range pointer {
		switch v := cur.(type) {
		case map[string]any:
			cur = v[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(v) {
				return nil
			}
			cur = v[i]
		default:
			return nil
		}
	}
	return cur
}

func isEmptyObject(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 0
}

// describesObject reports whether a body schema describes an object: it says so, or lists
// properties or required ones, or every form of its union does.
func describesObject(s *openapi3.Schema) bool {
	if s == nil {
		return false
	}
	if s.Type != nil && len(*s.Type) > 0 {
		return s.Type.Is(openapi3.TypeObject)
	}
	if len(s.Properties) > 0 || len(s.Required) > 0 {
		return true
	}
	for _, union := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
		if len(union) == 0 {
			continue
		}
		for _, ref := range union {
			if ref == nil || !describesObject(ref.Value) {
				return false
			}
		}
		return true
	}
	return false
}
