package findings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chcloud-dev/chcloud/spec"
)

// Response is one answer as the wire carried it.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decoder decodes an answer the way the SDK would and reports whether it could. It must read the
// body from the *http.Response it is given and must not keep it.
type Decoder func(*http.Response) error

// Checker judges answers against one OpenAPI document. It is safe for concurrent use.
type Checker struct {
	doc      *openapi3.T
	decoders map[string]Decoder
	redacted map[string]bool
}

// Option configures a Checker.
type Option func(*Checker)

// WithDecoders replaces the decoders (by operationId) used for decode-failure findings. The
// default is the generated client's Parse<Op>Response functions.
func WithDecoders(d map[string]Decoder) Option { return func(c *Checker) { c.decoders = d } }

// WithRedactionMarkers names placeholder strings that scrubbing writes in place of secrets. A
// scrubbed value is not the server's value, so it never produces a schema finding.
func WithRedactionMarkers(markers ...string) Option {
	return func(c *Checker) {
		for _, m := range markers {
			c.redacted[m] = true
		}
	}
}

// GeneratedDecoders returns a decoder per operationId built on the generated client's parsers.
func GeneratedDecoders() map[string]Decoder { return generatedDecoders }

// NewChecker returns a Checker for a document loaded with kin-openapi, normally specdoc.OpenAPI():
// findings are always measured against the published document, never the overlaid one.
func NewChecker(doc *openapi3.T, opts ...Option) (*Checker, error) {
	if doc == nil || doc.Paths == nil {
		return nil, errors.New("findings: no OpenAPI document")
	}
	c := &Checker{doc: doc, decoders: generatedDecoders, redacted: map[string]bool{}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Check returns every finding for one answer to op. It never fails: what it cannot judge (a body
// that is not JSON where JSON is declared, say) is itself a finding.
func (c *Checker) Check(op spec.Operation, r Response) []Finding {
	j := judgement{op: op, status: r.Status}
	media := mediaType(r.Header.Get("Content-Type"))
	isJSON := isJSONMedia(media)
	var value any
	parsed := false
	if isJSON && len(bytes.TrimSpace(r.Body)) > 0 {
		parsed = json.Unmarshal(r.Body, &value) == nil
	}

	if !op.Declares(r.Status) {
		detail := fmt.Sprintf("status %d is not declared (declared: %s)", r.Status, declaredStatuses(op))
		if media == "text/html" {
			detail += "; the body is an HTML page, the gateway's answer for a route it does not know"
		} else if media != "" && !isJSON {
			detail += "; the body is " + media
		}
		j.add("", UndeclaredStatus, detail)
		if parsed {
			j.envelope(value)
		}
		return j.done()
	}

	declared := op.ContentTypesFor(r.Status)
	empty := len(bytes.TrimSpace(r.Body)) == 0
	switch {
	case empty:
		return j.done() // nothing to judge: DELETE and 201 answers may carry no body
	case len(declared) == 0:
		j.add("", UndeclaredContentType, fmt.Sprintf("status %d declares no body, got %s", r.Status, orNone(media)))
		return j.done()
	case !slices.ContainsFunc(declared, func(d string) bool { return mediaType(d) == media }):
		j.add("", UndeclaredContentType, fmt.Sprintf("%s is not declared for status %d (declared: %s)", orNone(media), r.Status, strings.Join(declared, ", ")))
		return j.done()
	case !isJSON:
		return j.done() // text/plain (Prometheus) and PEM bodies have no schema to check
	case !parsed:
		j.add("$", DecodeFailure, "the body is not valid JSON")
		return j.done()
	}

	schema := c.responseSchema(op, r.Status, media)
	if schema != nil {
		j.schema(schema, value, c.redacted)
		j.strict(schema, value)
	}
	if schema == nil || isEnvelope(schema) {
		j.envelope(value)
	}
	if decode, ok := c.decoders[op.ID]; ok {
		j.decode(decode, r)
	}
	return j.done()
}

// responseSchema finds the schema for a status and media type, honouring "4XX" and "default".
func (c *Checker) responseSchema(op spec.Operation, status int, media string) *openapi3.Schema {
	item := c.doc.Paths.Find(op.Path)
	if item == nil {
		return nil
	}
	o := item.GetOperation(op.Method)
	if o == nil || o.Responses == nil {
		return nil
	}
	ref := o.Responses.Status(status)
	if ref == nil {
		ref = o.Responses.Value(fmt.Sprintf("%dXX", status/100))
	}
	if ref == nil {
		ref = o.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return nil
	}
	for ct, mt := range ref.Value.Content {
		if mediaType(ct) == media && mt.Schema != nil {
			return mt.Schema.Value
		}
	}
	return nil
}

// judgement collects the findings for one answer.
type judgement struct {
	op       spec.Operation
	status   int
	findings []Finding
}

func (j *judgement) add(path string, kind Kind, detail string) {
	j.findings = append(j.findings, Finding{OperationID: j.op.ID, Status: j.status, Path: path, Kind: kind, Detail: detail})
}

func (j *judgement) has(path string) int {
	return slices.IndexFunc(j.findings, func(f Finding) bool { return f.Path == path })
}

func (j *judgement) done() []Finding {
	Sort(j.findings)
	return j.findings
}

// isEnvelope reports whether a declared response is the API's {status, requestId, ...} wrapper;
// a few answers (Prometheus service discovery) are bare documents and have none.
func isEnvelope(schema *openapi3.Schema) bool {
	_, hasID := schema.Properties["requestId"]
	_, hasStatus := schema.Properties["status"]
	return hasID || hasStatus
}

// envelope checks the {status, requestId, ...} wrapper every JSON answer of this API carries.
func (j *judgement) envelope(value any) {
	obj, ok := value.(map[string]any)
	if !ok {
		if j.has("$") < 0 {
			j.add("$", EnvelopeAnomaly, "the body is not a JSON object, so it has no envelope")
		}
		return
	}
	if id, present := obj["requestId"]; !present || id == nil {
		if j.has("$.requestId") < 0 {
			j.add("$.requestId", EnvelopeAnomaly, "the envelope has no requestId")
		}
	}
	switch s := obj["status"].(type) {
	case nil:
		if j.has("$.status") < 0 {
			j.add("$.status", EnvelopeAnomaly, "the envelope has no status")
		}
	case float64:
		if int(s) != j.status && j.has("$.status") < 0 {
			j.add("$.status", EnvelopeAnomaly, fmt.Sprintf("the envelope says status %v, the HTTP status is %d", s, j.status))
		}
	}
}

// schema validates value with kin-openapi and turns each error into a finding.
//
// Why kin-openapi's own validator: package spec already loads the published 3.1.2 document with
// it (one model, no second parse), it reads 3.1 type lists such as ["string","null"], and with
// MultiErrors it reports every violation with its keyword and JSON pointer, which is what a
// finding needs. Its JSON Schema 2020 mode (EnableJSONSchema2020) agreed with it on every recorded
// answer; libopenapi-validator would mean a second document model for the same result.
// openapi3filter.ValidateResponse is this same VisitJSON behind routing and header checks that
// the checker does itself, per status and media type.
func (j *judgement) schema(schema *openapi3.Schema, value any, redacted map[string]bool) {
	err := schema.VisitJSON(value, openapi3.MultiErrors(), openapi3.WithStringFormatValidators(stringFormats))
	if err == nil {
		return
	}
	seen := map[string]bool{}
	for _, se := range schemaErrors(err) {
		pointer := se.JSONPointer()
		path, at, found := locate(value, pointer)
		kind, detail := classify(se, at, found)
		if kind == "" {
			continue // additionalProperties: the strict walk reports undeclared fields, once
		}
		if s, ok := at.(string); ok && redacted[s] {
			continue // scrubbed before it was recorded: not what the server sent
		}
		key := path + "\x00" + string(kind)
		if seen[key] {
			continue
		}
		seen[key] = true
		j.add(path, kind, detail)
	}
}

// schemaErrors flattens kin-openapi's MultiError tree into its SchemaErrors.
func schemaErrors(err error) []*openapi3.SchemaError {
	var out []*openapi3.SchemaError
	var walk func(error)
	walk = func(err error) {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range me {
				walk(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			out = append(out, se)
		}
	}
	walk(err)
	return out
}

// classify maps a SchemaError to a kind and a detail that never repeats a value (values may be
// secrets), except enum values, which are the server's vocabulary.
func classify(se *openapi3.SchemaError, at any, found bool) (Kind, string) {
	if found && at == nil && se.SchemaField != "required" {
		return NullValue, "null in a field that is not nullable"
	}
	switch se.SchemaField {
	case "additionalProperties", "unevaluatedProperties":
		return "", ""
	case "type":
		want := ""
		if se.Schema != nil && se.Schema.Type != nil {
			want = strings.Join(se.Schema.Type.Slice(), " or ")
		}
		return TypeMismatch, fmt.Sprintf("declared %s, got %s", orNone(want), jsonType(at))
	case "format":
		format := ""
		if se.Schema != nil {
			format = se.Schema.Format
		}
		return FormatMismatch, fmt.Sprintf("the value is not a valid %s", format)
	case "enum":
		var allowed []string
		if se.Schema != nil {
			for _, e := range se.Schema.Enum {
				allowed = append(allowed, fmt.Sprint(e))
			}
		}
		return UnknownEnumValue, fmt.Sprintf("%s is not one of the declared values (%s)", truncate(fmt.Sprintf("%q", fmt.Sprint(at)), 60), truncate(strings.Join(allowed, ", "), 200))
	case "required":
		return MissingRequired, "a required property is missing"
	default:
		return SchemaViolation, fmt.Sprintf("%s: %s", se.SchemaField, truncate(se.Reason, 200))
	}
}

// valueKinds are the findings about a value that a decoder may trip over without saying where
// (time.Time reports a parse error, not a path).
var valueKinds = map[Kind]bool{TypeMismatch: true, FormatMismatch: true, NullValue: true, UnknownEnumValue: true}

// decode runs the SDK's decoder. A failure at a path that already has a finding only adds to that
// finding's detail: one difference, one finding.
func (j *judgement) decode(decode Decoder, r Response) {
	header := r.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	resp := &http.Response{
		StatusCode: r.Status, Status: strconv.Itoa(r.Status) + " " + http.StatusText(r.Status),
		Header: header, Body: io.NopCloser(bytes.NewReader(r.Body)), ContentLength: int64(len(r.Body)),
	}
	err := decode(resp)
	if err == nil {
		return
	}
	path := "$"
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		path = "$." + te.Field
	}
	for i := range j.findings {
		if j.findings[i].Path == path || (path == "$" && valueKinds[j.findings[i].Kind]) {
			j.findings[i].Detail += "; the SDK cannot decode it either"
			return
		}
	}
	detail := "the SDK cannot decode the answer"
	if te != nil {
		detail = fmt.Sprintf("the SDK cannot decode a JSON %s into Go %s", te.Value, te.Type)
	}
	j.add(path, DecodeFailure, detail)
}

// locate walks a JSON pointer through value and returns the JSONPath of it, the value there and
// whether it exists (a missing required property does not).
func locate(value any, pointer []string) (string, any, bool) {
	var b strings.Builder
	b.WriteString("$")
	cur, found := value, true
	for _, seg := range pointer {
		switch v := cur.(type) {
		case []any:
			i, err := strconv.Atoi(seg)
			b.WriteString("[" + seg + "]")
			if err != nil || i < 0 || i >= len(v) {
				cur, found = nil, false
			} else {
				cur = v[i]
			}
		case map[string]any:
			b.WriteString(pathKey(seg))
			cur, found = v[seg]
		default:
			b.WriteString(pathKey(seg))
			cur, found = nil, false
		}
	}
	return b.String(), cur, found
}

var plainKey = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*$`)

func pathKey(k string) string {
	if plainKey.MatchString(k) {
		return "." + k
	}
	return "['" + strings.ReplaceAll(k, "'", `\'`) + "']"
}

var stringFormats = map[string]openapi3.StringFormatValidator{
	// Any 8-4-4-4-12 hex string: the API's ids are not all version 4, and that is not drift.
	"uuid":  openapi3.NewRegexpFormatValidator(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`),
	"email": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail),
	"date-time": openapi3.NewCallbackValidator(func(s string) error {
		_, err := time.Parse(time.RFC3339Nano, s)
		return err
	}),
	"date": openapi3.NewCallbackValidator(func(s string) error {
		_, err := time.Parse(time.DateOnly, s)
		return err
	}),
}

func mediaType(contentType string) string {
	if contentType == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	return mt
}

func isJSONMedia(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

func declaredStatuses(op spec.Operation) string {
	var s []string
	for _, r := range op.Responses {
		s = append(s, r.Status)
	}
	return strings.Join(s, ", ")
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64, json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func orNone(s string) string {
	if s == "" {
		return "no content type"
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
