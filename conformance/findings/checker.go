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
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/specdoc"
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
	judge    *specdoc.Judge
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
	c := &Checker{doc: doc, judge: specdoc.NewJudge(specdoc.Strict()), decoders: generatedDecoders, redacted: map[string]bool{}}
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
		// No schema to judge (DELETE and 201 answers may carry no body), but the SDK must still
		// read it: the real API answers some DELETEs with an empty body.
		if decode, ok := c.decoders[op.ID]; ok && r.Status < 300 {
			j.decode(decode, r)
		}
		return j.done()
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
		j.schema(c.judge, schema, value, c.redacted)
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

// schema judges value with specdoc's Judge and turns each problem into a finding.
//
// Why specdoc.Judge rather than kin-openapi's VisitJSON: a validator merges the errors of every
// form of a oneOf/anyOf, so an object in a nullable union was told it should be null and a
// ClickStack source of kind "metric" that it should be a log source. The Judge picks the form
// the value belongs to (discriminator, a tag property such as kind, its type, else the closest
// form) and reports that form's differences only; it leaves the scalar keywords to kin-openapi,
// and in Strict mode reports the properties the chosen form does not declare (the document
// leaves objects open, so a new field is drift only a strict walk sees).
func (j *judgement) schema(judge *specdoc.Judge, schema *openapi3.Schema, value any, redacted map[string]bool) {
	seen := map[string]bool{}
	for _, p := range judge.Check(schema, value) {
		if s, ok := p.Value.(string); ok && redacted[s] {
			continue // scrubbed before it was recorded: not what the server sent
		}
		path := specdoc.JSONPath(value, p.Pointer)
		kind, detail := classify(p)
		key := path + "\x00" + string(kind)
		if seen[key] {
			continue
		}
		seen[key] = true
		j.add(path, kind, detail)
		if p.Form != nil && (p.Form.By != "" || p.Form.Closest) {
			j.findings[len(j.findings)-1].Form = p.Form.String()
		}
	}
}

// classify maps a problem to a kind and a detail that never repeats a value (values may be
// secrets), except enum values, which are the server's vocabulary.
func classify(p specdoc.Problem) (Kind, string) {
	switch p.Keyword {
	case "null":
		return NullValue, p.Reason
	case "type":
		return TypeMismatch, p.Reason
	case "format":
		return FormatMismatch, p.Reason
	case "enum", "const":
		return UnknownEnumValue, p.Reason
	case "required":
		return MissingRequired, p.Reason
	case "undeclared", "additionalProperties":
		return UndeclaredField, p.Reason
	}
	return SchemaViolation, p.Keyword + ": " + truncate(p.Reason, 200)
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
	var dropped *DroppedValues
	if errors.As(err, &dropped) {
		j.dropped(dropped)
		return
	}
	path := "$"
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		path = resolveField(r.Body, strings.Split(te.Field, "."), te.Value)
	}
	for i := range j.findings {
		f := &j.findings[i]
		if f.Path == path || (path == "$" && valueKinds[f.Kind]) || (te != nil && te.Field != "" && withoutIndices(f.Path) == "$."+te.Field && valueKinds[f.Kind]) {
			f.Detail += "; the SDK cannot decode it either"
			return
		}
	}
	detail := "the SDK cannot decode the answer"
	if te != nil {
		detail = fmt.Sprintf("the SDK cannot decode a JSON %s into Go %s", te.Value, te.Type)
	}
	j.add(path, DecodeFailure, detail)
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

// resolveField turns the dotted field of a Go decoding error ("result.createdAt", which has lost
// its array indices) into the JSONPath of the value that tripped the decoder
// ("$.result[3].createdAt"): at each array it takes the first element whose value at the rest
// of the path is of the JSON type the decoder complained about.
func resolveField(body []byte, fields []string, jsonType string) string {
	var root any
	if json.Unmarshal(body, &root) != nil {
		return "$." + strings.Join(fields, ".")
	}
	var find func(v any, rest []string, ptr []string) ([]string, bool)
	find = func(v any, rest []string, ptr []string) ([]string, bool) {
		if arr, ok := v.([]any); ok {
			for i, elem := range arr {
				if p, ok := find(elem, rest, append(slices.Clone(ptr), strconv.Itoa(i))); ok {
					return p, true
				}
			}
			return nil, false
		}
		if len(rest) == 0 {
			return ptr, jsonType == "" || specdoc.JSONType(v) == jsonType || (jsonType == "bool" && specdoc.JSONType(v) == "boolean")
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		child, present := obj[rest[0]]
		if !present {
			return nil, false
		}
		return find(child, rest[1:], append(slices.Clone(ptr), rest[0]))
	}
	if ptr, ok := find(root, fields, nil); ok {
		return specdoc.JSONPath(root, ptr)
	}
	return "$." + strings.Join(fields, ".")
}

var indexPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\[[0-9]+\]`) })

func withoutIndices(path string) string { return indexPattern().ReplaceAllString(path, "") }

// DroppedValues is what a Decoder returns when the SDK decoded an answer only by dropping the
// values at Paths (JSONPaths with indices) to their zero value; Details says why, per path.
type DroppedValues struct {
	Paths   []string
	Details []string
}

func (d *DroppedValues) Error() string {
	return fmt.Sprintf("the SDK dropped %d values: %s", len(d.Paths), strings.Join(d.Paths, ", "))
}

// dropped adds what the SDK did to the finding already at each path (one difference, one
// finding), or reports it as a decode failure at that path when the schema walk saw nothing.
func (j *judgement) dropped(d *DroppedValues) {
	for i, path := range d.Paths {
		detail := "the SDK drops the value"
		if i < len(d.Details) {
			detail = d.Details[i]
		}
		if k := j.has(path); k >= 0 {
			j.findings[k].Detail += "; " + detail
			continue
		}
		j.add(path, DecodeFailure, detail)
	}
}
