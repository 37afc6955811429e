package api

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/chcloud-dev/chcloud/spec"
)

// findOperation resolves `api OPERATION_ID` or `api METHOD PATH` to an operation of the document,
// with the path parameters a concrete PATH carries.
func findOperation(args []string) (spec.Operation, map[string]string, error) {
	ops, err := spec.Operations()
	if err != nil {
		return spec.Operation{}, nil, err
	}
	if len(args) == 1 {
		id := args[0]
		for _, op := range ops {
			if op.ID == id {
				return op, map[string]string{}, nil
			}
		}
		for _, op := range ops {
			if strings.EqualFold(op.ID, id) {
				return op, map[string]string{}, nil
			}
		}
		return spec.Operation{}, nil, fmt.Errorf("unknown operation %q%s", id, suggest(ops, id))
	}
	method := strings.ToUpper(args[0])
	path := args[1]
	if u, err := url.Parse(path); err == nil && u.RawQuery != "" {
		return spec.Operation{}, nil, fmt.Errorf("put query parameters in -p name=value, not in the path %q", path)
	}
	path = "/" + strings.Trim(path, "/")
	if !strings.HasPrefix(path, "/v1/") && path != "/v1" {
		path = "/v1" + path
	}
	m, err := spec.DefaultMatcher()
	if err != nil {
		return spec.Operation{}, nil, err
	}
	op, matched, ok := m.Match(method, path)
	if !ok {
		if others := m.Methods(path); len(others) > 0 {
			return spec.Operation{}, nil, fmt.Errorf("%s is not allowed on %s (the document has: %s)", method, path, strings.Join(others, " "))
		}
		return spec.Operation{}, nil, fmt.Errorf("no operation in the API document matches %s %s", method, path)
	}
	params := map[string]string{}
	for name, v := range matched {
		if v != "{"+name+"}" { // the template's own placeholder means "fill from -p or defaults"
			params[name] = v
		}
	}
	return op, params, nil
}

func suggest(ops []spec.Operation, id string) string {
	var close []string
	lower := strings.ToLower(id)
	for _, op := range ops {
		l := strings.ToLower(op.ID)
		if strings.Contains(l, lower) || strings.Contains(lower, l) || editDistance(l, lower) <= 3 {
			close = append(close, op.ID)
		}
	}
	if len(close) == 0 {
		return " (chcloud api --list shows every operation)"
	}
	slices.Sort(close)
	if len(close) > 5 {
		close = close[:5]
	}
	return "; did you mean " + strings.Join(close, ", ") + "?"
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// expandPath fills a templated path with parameter values, escaped.
func expandPath(template string, params map[string]string) string {
	parts := strings.Split(template, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			parts[i] = url.PathEscape(params[p[1:len(p)-1]])
		}
	}
	return strings.Join(parts, "/")
}
