package specdoc

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// ParameterProblem is a path or query parameter of a request that the document refuses.
type ParameterProblem struct {
	In    string // "path" or "query"
	Name  string
	Value string // the value as sent (the first that fails, for a repeated query parameter)
	// Problem is the judge's finding on the value, converted to its declared type; Keyword is
	// "required" (and Missing set) for a required parameter that is absent.
	Problem
}

// CheckRequest judges a whole request for an operation of the published document: its path
// parameters (as matched, unescaped), its query, and its JSON body as CheckRequestBody does. It
// is the one request validator: the CLI checks with it before sending, the fake server when
// receiving, `chcloud spec check-request` for a body.
//
// Parameters are judged with the same Judge and formats as bodies (DefaultFormats: "uuid" is any
// 8-4-4-4-12 hex string), after converting each value to its declared type (integer, number,
// boolean; an array takes each repetition of a query parameter as an item). Query parameters the
// document does not declare are not judged: the real API ignores them.
//
// The body is judged only when the operation takes one; a body sent to one that takes none is
// ErrNoRequestBody. The verdict holds the parameters' problems even when the error is about the
// body (ErrBodyNotJSON), so a caller can report what comes first for it.
func CheckRequest(operationID string, pathParams map[string]string, query url.Values, body []byte) (RequestVerdict, error) {
	verdict := RequestVerdict{Operation: operationID}
	ops, err := requestOperations()
	if err != nil {
		return verdict, err
	}
	op, known := ops[operationID]
	if !known {
		return verdict, fmt.Errorf("%w: %q", ErrUnknownOperation, operationID)
	}
	for _, p := range op.path {
		v, present := pathParams[p.Name]
		if pp, bad := checkParameter(p, []string{v}, present && v != ""); bad {
			verdict.Parameters = append(verdict.Parameters, pp)
		}
	}
	for _, p := range op.query {
		values, present := query[p.Name]
		if !present && !p.Required {
			continue
		}
		if pp, bad := checkParameter(p, values, present); bad {
			verdict.Parameters = append(verdict.Parameters, pp)
		}
	}
	if !op.body {
		if len(strings.TrimSpace(string(body))) > 0 {
			return verdict, fmt.Errorf("%s: %w", operationID, ErrNoRequestBody)
		}
		return verdict, nil
	}
	bodyVerdict, err := CheckRequestBody(operationID, body)
	verdict.Problems, verdict.Accepted = bodyVerdict.Problems, bodyVerdict.Accepted
	return verdict, err
}

// checkParameter judges the values of one parameter; bad reports a problem.
func checkParameter(p *openapi3.Parameter, values []string, present bool) (ParameterProblem, bool) {
	pp := ParameterProblem{In: p.In, Name: p.Name}
	if !present || len(values) == 0 {
		if !p.Required {
			return pp, false
		}
		pp.Problem = Problem{Keyword: "required", Missing: true, Reason: "required but missing"}
		return pp, true
	}
	if p.Schema == nil || p.Schema.Value == nil {
		return pp, false
	}
	s := p.Schema.Value
	if s.Type.Is(openapi3.TypeArray) {
		var items *openapi3.Schema
		if s.Items != nil {
			items = s.Items.Value
		}
		arr := make([]any, 0, len(values))
		for _, raw := range values {
			v, problem, ok := parameterValue(items, raw)
			if !ok {
				pp.Value, pp.Problem = raw, problem
				return pp, true
			}
			arr = append(arr, v)
		}
		if problems := requestJudge().Check(s, arr); len(problems) > 0 {
			pp.Value, pp.Problem = strings.Join(values, ","), problems[0]
			return pp, true
		}
		return pp, false
	}
	pp.Value = values[0]
	v, problem, ok := parameterValue(s, values[0])
	if !ok {
		pp.Problem = problem
		return pp, true
	}
	if problems := requestJudge().Check(s, v); len(problems) > 0 {
		pp.Problem = problems[0]
		return pp, true
	}
	return pp, false
}

// parameterValue converts the text of a parameter to the JSON value its schema declares.
func parameterValue(s *openapi3.Schema, raw string) (any, Problem, bool) {
	if s == nil || s.Type == nil {
		return raw, Problem{}, true
	}
	switch {
	case s.Type.Is(openapi3.TypeInteger):
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, Problem{Keyword: "type", Schema: s, Value: raw, Reason: "declared integer, got " + describeText(raw)}, false
		}
		return float64(n), Problem{}, true
	case s.Type.Is(openapi3.TypeNumber):
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, Problem{Keyword: "type", Schema: s, Value: raw, Reason: "declared number, got " + describeText(raw)}, false
		}
		return f, Problem{}, true
	case s.Type.Is(openapi3.TypeBoolean):
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, Problem{Keyword: "type", Schema: s, Value: raw, Reason: "declared boolean, got " + describeText(raw)}, false
		}
		return b, Problem{}, true
	}
	return raw, Problem{}, true
}

func describeText(raw string) string {
	if raw == "" {
		return "an empty value"
	}
	return "text"
}

// requestOperation is what CheckRequest needs of one operation.
type requestOperation struct {
	path, query []*openapi3.Parameter
	body        bool
}

// requestOperations indexes the document's operations by operationId with their parameters (the
// path item's, overridden by the operation's of the same name and place).
var requestOperations = sync.OnceValues(func() (map[string]requestOperation, error) {
	doc, err := OpenAPI()
	if err != nil {
		return nil, err
	}
	bodies, err := requestBodies()
	if err != nil {
		return nil, err
	}
	out := map[string]requestOperation{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == "" {
				continue
			}
			ro := requestOperation{body: bodies[op.OperationID].schema != nil}
			for _, p := range mergedParameters(item.Parameters, op.Parameters) {
				switch p.In {
				case openapi3.ParameterInPath:
					ro.path = append(ro.path, p)
				case openapi3.ParameterInQuery:
					ro.query = append(ro.query, p)
				}
			}
			out[op.OperationID] = ro
		}
	}
	return out, nil
})

func mergedParameters(shared, own openapi3.Parameters) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, ref := range shared {
		if ref == nil || ref.Value == nil || own.GetByInAndName(ref.Value.In, ref.Value.Name) != nil {
			continue
		}
		out = append(out, ref.Value)
	}
	for _, ref := range own {
		if ref != nil && ref.Value != nil {
			out = append(out, ref.Value)
		}
	}
	return out
}
