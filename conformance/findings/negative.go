package findings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/chcloud-dev/chcloud/spec"
)

// The scenarios of negative calls: a Finding's Scenario, a Deviation's scenario, a Probe's
// Scenario. Happy-path findings have none.
const (
	ScenarioUnknownID   = "unknown-id"   // a well-formed id that names nothing
	ScenarioInvalidBody = "invalid-body" // a body that breaks one declared constraint
	ScenarioWrongSecret = "wrong-secret" // a real key ID with a wrong secret
	ScenarioDisabledKey = "disabled-key" // a key the run created and disabled
)

// Scenarios lists the negative scenarios, in the order reports show them.
var Scenarios = []string{ScenarioUnknownID, ScenarioInvalidBody, ScenarioWrongSecret, ScenarioDisabledKey}

// Probe is one negative call and what came back: the error contract of one operation is a few
// of them.
type Probe struct {
	Scenario string `json:"scenario"`
	// Request says what was wrong with the request: the path parameters given unknown values,
	// or the body's broken constraint.
	Request string `json:"request,omitempty"`
	// Field and Rule name the broken constraint of an invalid body: a JSONPath into the body and
	// the keyword (type, enum, required, minLength...).
	Field string `json:"field,omitempty"`
	Rule  string `json:"rule,omitempty"`
	// Expected are the statuses the scenario calls for.
	Expected    []int  `json:"expected,omitempty"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	// Code is the CODE prefix of the envelope's error ("NOT_FOUND"), "" when it has none.
	Code      string `json:"code,omitempty"`
	Message   string `json:"message,omitempty"`
	RequestID bool   `json:"requestId"`
	// SDK says what package cloud makes of the answer ("IsNotFound, 1 attempt").
	SDK      string    `json:"sdk,omitempty"`
	Skip     string    `json:"skip,omitempty"`
	Error    string    `json:"error,omitempty"`
	Verdict  Outcome   `json:"verdict"`
	Findings []Finding `json:"findings,omitempty"`
}

// Seen reads like "404 NOT_FOUND" or "401 UNAUTHORIZED (HTML)", "skipped" when not called.
func (p Probe) Seen() string {
	switch {
	case p.Skip != "":
		return "skipped"
	case p.Error != "":
		return "error"
	case p.Status == 0:
		return "-"
	}
	s := strconv.Itoa(p.Status)
	if p.Code != "" {
		s += " " + p.Code
	}
	if mediaType(p.ContentType) == "text/html" {
		s += " (HTML)"
	}
	return s
}

// Judge sets the probe's verdict from its findings (known ones already marked).
func (p *Probe) Judge() {
	Sort(p.Findings)
	switch {
	case p.Error != "":
		p.Verdict = Errored
	case p.Skip != "":
		p.Verdict = Skipped
	case len(New(p.Findings)) > 0:
		p.Verdict = NewFindings
	case len(p.Findings) > 0:
		p.Verdict = Known
	default:
		p.Verdict = Passed
	}
}

// ErrorContract is what the negative scenarios of one operation saw.
type ErrorContract struct {
	Outcome Outcome `json:"outcome"`
	Probes  []Probe `json:"probes"`
	Error   string  `json:"error,omitempty"`
}

// NewErrorContract judges the probes and sums them up: the worst verdict wins.
func NewErrorContract(probes []Probe, err error) *ErrorContract {
	c := &ErrorContract{Probes: probes, Outcome: Passed}
	rank := map[Outcome]int{Passed: 0, Skipped: 1, Known: 2, NewFindings: 3, Errored: 4}
	called := false
	for i := range c.Probes {
		c.Probes[i].Judge()
		v := c.Probes[i].Verdict
		if v != Skipped {
			called = true
		}
		if rank[v] > rank[c.Outcome] && v != Skipped {
			c.Outcome = v
		}
	}
	if !called && len(probes) > 0 {
		c.Outcome = Skipped
	}
	if err != nil {
		c.Outcome, c.Error = Errored, err.Error()
	}
	return c
}

// Probe returns the first probe of a scenario, nil when there is none.
func (c *ErrorContract) Probe(scenario string) *Probe {
	if c == nil {
		return nil
	}
	for i := range c.Probes {
		if c.Probes[i].Scenario == scenario {
			return &c.Probes[i]
		}
	}
	return nil
}

// SDKView is what package cloud makes of an error answer, for the classification check.
type SDKView struct {
	Code          string // APIError.Code
	Message       string // APIError.Message
	NotFound      bool   // cloud.IsNotFound
	RouteNotFound bool   // cloud.IsRouteNotFound
	Unauthorized  bool   // cloud.IsUnauthorized
	Attempts      int    // how many times the SDK sent the request
}

func (v SDKView) String() string {
	var is []string
	for _, f := range []struct {
		on   bool
		name string
	}{{v.NotFound, "IsNotFound"}, {v.RouteNotFound, "IsRouteNotFound"}, {v.Unauthorized, "IsUnauthorized"}} {
		if f.on {
			is = append(is, f.name)
		}
	}
	if len(is) == 0 {
		is = append(is, v.Code)
	}
	attempts := "attempt"
	if v.Attempts != 1 {
		attempts += "s"
	}
	return fmt.Sprintf("%s, %d %s", strings.Join(is, ", "), v.Attempts, attempts)
}

// ErrorEnvelope reads an error answer's envelope: the CODE prefix of "error", its message and
// whether a requestId is there. ok is false when the body is no JSON object.
func ErrorEnvelope(header http.Header, body []byte) (code, message string, requestID, ok bool) {
	if !isJSONMedia(mediaType(header.Get("Content-Type"))) {
		return "", "", false, false
	}
	var env map[string]any
	if json.Unmarshal(bytes.TrimSpace(body), &env) != nil {
		return "", "", false, false
	}
	id, _ := env["requestId"].(string)
	text, _ := env["error"].(string)
	code, message = splitErrorCode(text)
	return code, message, id != "", true
}

var errorCode = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`) })

// splitErrorCode splits "CODE: message" (or a bare "CODE").
func splitErrorCode(s string) (code, message string) {
	head, rest, found := strings.Cut(s, ":")
	if errorCode().MatchString(strings.TrimSpace(head)) {
		return strings.TrimSpace(head), strings.TrimSpace(rest)
	}
	if !found && errorCode().MatchString(s) {
		return s, ""
	}
	return "", strings.TrimSpace(s)
}

// statusCodes are the CODE prefixes of the error envelope, by HTTP status
// (docs/api-behaviour.md). Statuses not listed are not checked.
var statusCodes = map[int]string{
	400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT",
	424: "FAILED_DEPENDENCY", 429: "TOO_MANY_REQUESTS",
}

// Violation is the constraint an invalid-body probe broke: where and which rule.
type Violation struct {
	Path string // JSONPath into the body
	Rule string // the JSON Schema keyword: type, enum, required, minLength...
}

// CheckProbe judges the answer to one negative call: everything Check finds, then the error
// contract. expected are the statuses the scenario calls for; broken is the constraint of an
// invalid body (nil for other scenarios); sdk what package cloud made of the answer (nil: not
// asked). Every finding carries the scenario, so known deviations can be scoped to it.
func (c *Checker) CheckProbe(op spec.Operation, scenario string, expected []int, broken *Violation, r Response, sdk *SDKView) []Finding {
	fs := c.Check(op, r)
	j := judgement{op: op, status: r.Status, findings: fs}
	ok := r.Status >= 200 && r.Status < 300
	switch {
	case ok && scenario == ScenarioInvalidBody && broken != nil:
		j.add(broken.Path, ConstraintNotEnforced, fmt.Sprintf("the service accepted a body that breaks %s at %s (answered %d, expected %s); "+
			"if this is how the service works, propose for spec/specdoc/request-deviations.yaml: %s",
			broken.Rule, broken.Path, r.Status, orInts(expected), ProposeRequestDeviation(op.ID, *broken)))
	case !slices.Contains(expected, r.Status):
		what := map[string]string{
			ScenarioUnknownID: "an id that names nothing", ScenarioInvalidBody: "an invalid body",
			ScenarioWrongSecret: "a wrong secret", ScenarioDisabledKey: "a disabled key",
		}[scenario]
		j.add("", UnexpectedStatus, fmt.Sprintf("answered %d to %s, expected %s", r.Status, what, orInts(expected)))
	}
	if r.Status >= 400 {
		j.errorCode(r)
	}
	if sdk != nil && r.Status >= 400 {
		j.classification(r, *sdk)
	}
	for i := range j.findings {
		j.findings[i].Scenario = scenario
	}
	return j.done()
}

// errorCode checks that a JSON error answer says "CODE: message" with the CODE of its status.
func (j *judgement) errorCode(r Response) {
	code, _, _, isJSON := ErrorEnvelope(r.Header, r.Body)
	if !isJSON {
		return // not an envelope at all: Check has said so (content type, decode failure)
	}
	var env map[string]any
	_ = json.Unmarshal(r.Body, &env)
	if _, has := env["error"]; !has {
		j.add("$.error", ErrorCodeMismatch, "the error answer has no \"error\" member")
		return
	}
	want, known := statusCodes[r.Status]
	switch {
	case code == "":
		j.add("$.error", ErrorCodeMismatch, "the error does not start with a CODE (\"CODE: message\")")
	case known && code != want:
		j.add("$.error", ErrorCodeMismatch, fmt.Sprintf("the error's code is %s, the HTTP status %d means %s", code, r.Status, want))
	}
}

// classification checks what package cloud makes of an error answer against what the document
// and docs/api-behaviour.md promise: a JSON 404 is IsNotFound (no such resource), the gateway's
// HTML 404 IsRouteNotFound (no such route), a 401 IsUnauthorized and never retried; the code the
// SDK reports is the body's.
func (j *judgement) classification(r Response, v SDKView) {
	html := mediaType(r.Header.Get("Content-Type")) == "text/html"
	var wrong []string
	switch {
	case r.Status == 404 && html && (!v.RouteNotFound || v.NotFound):
		wrong = append(wrong, "the gateway's HTML 404 must be IsRouteNotFound and not IsNotFound")
	case r.Status == 404 && !html && (!v.NotFound || v.RouteNotFound):
		wrong = append(wrong, "a JSON 404 must be IsNotFound and not IsRouteNotFound")
	case r.Status == 401 && !v.Unauthorized:
		wrong = append(wrong, "a 401 must be IsUnauthorized")
	}
	if r.Status != 429 && r.Status < 500 && v.Attempts > 1 {
		wrong = append(wrong, fmt.Sprintf("a %d must not be retried, the SDK sent it %d times", r.Status, v.Attempts))
	}
	if code, _, _, ok := ErrorEnvelope(r.Header, r.Body); ok && code != "" && v.Code != code {
		wrong = append(wrong, fmt.Sprintf("the SDK reports code %s, the body says %s", v.Code, code))
	}
	if r.Status == 401 {
		if _, msg, _, ok := ErrorEnvelope(r.Header, r.Body); ok && msg != "" && !strings.Contains(v.Message, msg) {
			wrong = append(wrong, "the SDK's message loses the body's reason (which key problem it is)")
		}
	}
	if len(wrong) > 0 {
		j.add("", SDKMisclassification, strings.Join(wrong, "; ")+" (SDK: "+v.String()+")")
	}
}

// ProposeRequestDeviation writes the entry of spec/specdoc/request-deviations.yaml that would
// make the request validators accept what the service accepted. The file's accepts values today
// are "null" and "empty-object"; another rule needs a new accepts value there first, which the
// proposal says.
func ProposeRequestDeviation(operationID string, v Violation) string {
	accepts := v.Rule
	note := ""
	switch v.Rule {
	case "null":
		accepts = "null"
	case "minProperties":
		accepts = "empty-object"
	default:
		note = fmt.Sprintf(" (accepts %q is not a value the file knows yet)", v.Rule)
	}
	return fmt.Sprintf("{operation: %s, path: %q, accepts: %q, reason: \"the service accepts it (conformance negative scenario)\", reference: <public source>}%s",
		operationID, v.Path, accepts, note)
}

// The X-RateLimit headers the SDK's limiter reads (docs/api-behaviour.md, "Rate limits").
var rateLimitPolicy = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]+);w=([0-9]+(?:\.[0-9]+)?)(?:;.*)?$`) })

// CheckRateLimitHeaders checks an ordinary answer's rate-limit headers: X-RateLimit-Limit (a
// positive integer), -Remaining (an integer, 0 to the limit), -Reset (seconds, possibly
// fractional) and -Policy ("N;w=SECONDS;..." with N the limit). Their absence or a new format is
// one finding: the SDK's limiter depends on them.
func CheckRateLimitHeaders(op spec.Operation, status int, h http.Header) []Finding {
	var problems []string
	get := func(name string) (string, bool) {
		v := strings.TrimSpace(h.Get(name))
		if v == "" {
			problems = append(problems, name+" is missing")
		}
		return v, v != ""
	}
	limit := -1
	if v, ok := get("X-RateLimit-Limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			problems = append(problems, fmt.Sprintf("X-RateLimit-Limit %q is not a positive integer", v))
		} else {
			limit = n
		}
	}
	if v, ok := get("X-RateLimit-Remaining"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || (limit > 0 && n > limit) {
			problems = append(problems, fmt.Sprintf("X-RateLimit-Remaining %q is not an integer from 0 to the limit", v))
		}
	}
	if v, ok := get("X-RateLimit-Reset"); ok {
		if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 || f > 24*3600 {
			problems = append(problems, fmt.Sprintf("X-RateLimit-Reset %q is not a number of seconds", v))
		}
	}
	if v, ok := get("X-RateLimit-Policy"); ok {
		m := rateLimitPolicy().FindStringSubmatch(v)
		switch {
		case m == nil:
			problems = append(problems, fmt.Sprintf("X-RateLimit-Policy %q is not \"N;w=SECONDS;...\"", v))
		case limit > 0 && m[1] != strconv.Itoa(limit):
			problems = append(problems, fmt.Sprintf("X-RateLimit-Policy allows %s, X-RateLimit-Limit says %d", m[1], limit))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return []Finding{{OperationID: op.ID, Status: status, Kind: RateLimitHeaders,
		Detail: strings.Join(problems, "; ") + " (the SDK's rate limiter reads these headers)"}}
}

func orInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, " or ")
}
