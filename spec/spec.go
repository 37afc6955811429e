// Package spec embeds the ClickHouse Cloud OpenAPI document exactly as ClickHouse published it
// (openapi.json, see SOURCE) and exposes its operation inventory: every operation with its method,
// path, tags, beta and deprecated flags, declared status codes and content types, and the
// matcher of a request (method and path) to its operation ([Match], [NewMatcher]), which the fake
// server and the CLI route with. The matching itself is package spec/route's, which the SDK uses
// over its generated routes, so that all three agree on which operation a path is.
//
// The document is the contract that the conformance suite, the fake server and the CLI check
// against, so this is the published document and not the overlaid one used for code generation.
// Nothing is parsed until a function needs it. The kin-openapi model of the same document is in
// package specdoc, so that importing spec (as the SDK does) does not link kin-openapi.
package spec

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
)

//go:embed openapi.json
var document []byte

// Document returns the embedded published document, byte for byte. Callers must not modify it.
func Document() []byte { return document }

// source is spec/SOURCE, where the document came from and its sha256.
//
//go:embed SOURCE
var source string

// SHA256 returns the hex sha256 of the embedded document. It is the value recorded in spec/SOURCE
// (a test recomputes it from the document), read instead of hashed because `chcloud version`
// prints it and hashing 1.2 MB cost about a millisecond of every such start.
func SHA256() string {
	for line := range strings.Lines(source) {
		if sum, ok := strings.CutPrefix(strings.TrimSpace(line), "sha256: "); ok {
			return sum
		}
	}
	sum := sha256.Sum256(document) // SOURCE without a sha256 line: the test fails, but stay right
	return hex.EncodeToString(sum[:])
}

// Operation is one operation of the document.
type Operation struct {
	ID          string   // operationId, e.g. "instanceGet"
	Method      string   // upper case, e.g. "GET"
	Path        string   // templated, e.g. "/v1/organizations/{organizationId}/services/{serviceId}"
	Tags        []string // e.g. ["Service"]
	Summary     string
	Beta        bool // badged "Beta" (x-badges)
	Deprecated  bool
	PathParams  []string   // names of the path parameters, in path order
	QueryParams []string   // names of the query parameters
	RequestBody []string   // content types of the request body; empty when there is none
	Responses   []Response // declared responses, by status code
}

// Response is one declared response of an operation.
type Response struct {
	Status       string   // "200", "404", or "default"
	ContentTypes []string // e.g. ["application/json", "text/plain"]
}

// Mutating reports whether the operation changes state on the server (anything but GET and HEAD).
func (o Operation) Mutating() bool { return o.Method != http.MethodGet && o.Method != http.MethodHead }

// Declares reports whether the operation documents the given HTTP status, directly or through a
// "default" or range ("4XX") response.
func (o Operation) Declares(status int) bool {
	_, ok := o.response(status)
	return ok
}

// ContentTypesFor returns the content types documented for a status, or nil when it is undeclared.
func (o Operation) ContentTypesFor(status int) []string {
	r, _ := o.response(status)
	return r.ContentTypes
}

func (o Operation) response(status int) (Response, bool) {
	exact := fmt.Sprint(status)
	ranged := fmt.Sprintf("%dXX", status/100)
	var fallback *Response
	for i, r := range o.Responses {
		switch strings.ToUpper(r.Status) {
		case exact:
			return r, true
		case ranged:
			return r, true
		case "DEFAULT":
			fallback = &o.Responses[i]
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return Response{}, false
}

var inventory = sync.OnceValues(func() ([]Operation, error) { return ParseInventory(document) })

// Operations returns every operation of the embedded document, ordered by path then method.
// The slice is shared: callers must not modify it.
func Operations() ([]Operation, error) { return inventory() }

// Lookup returns the operation with the given operationId.
func Lookup(id string) (Operation, bool) {
	ops, err := inventory()
	if err != nil {
		return Operation{}, false
	}
	for _, op := range ops {
		if op.ID == id {
			return op, true
		}
	}
	return Operation{}, false
}

// methods are the HTTP methods an OpenAPI path item may hold, in a fixed order.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// ParseInventory reads the operation inventory of any OpenAPI 3 document in JSON.
func ParseInventory(raw []byte) ([]Operation, error) {
	type parameter struct {
		Name string `json:"name"`
		In   string `json:"in"`
	}
	type operation struct {
		OperationID string      `json:"operationId"`
		Tags        []string    `json:"tags"`
		Summary     string      `json:"summary"`
		Deprecated  bool        `json:"deprecated"`
		Parameters  []parameter `json:"parameters"`
		Badges      []struct {
			Name string `json:"name"`
		} `json:"x-badges"`
		RequestBody *struct {
			Content map[string]json.RawMessage `json:"content"`
		} `json:"requestBody"`
		Responses map[string]struct {
			Content map[string]json.RawMessage `json:"content"`
		} `json:"responses"`
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("spec: document is not valid JSON: %w", err)
	}
	if doc.OpenAPI == "" || doc.Paths == nil {
		return nil, fmt.Errorf("spec: not an OpenAPI document (no \"openapi\" version or no \"paths\")")
	}
	var ops []Operation
	for path, item := range doc.Paths {
		var shared []parameter
		if p, ok := item["parameters"]; ok {
			if err := json.Unmarshal(p, &shared); err != nil {
				return nil, fmt.Errorf("spec: %s: parameters: %w", path, err)
			}
		}
		for _, m := range methods {
			body, ok := item[m]
			if !ok {
				continue
			}
			var o operation
			if err := json.Unmarshal(body, &o); err != nil {
				return nil, fmt.Errorf("spec: %s %s: %w", strings.ToUpper(m), path, err)
			}
			op := Operation{
				ID: o.OperationID, Method: strings.ToUpper(m), Path: path, Tags: o.Tags,
				Summary: o.Summary, Deprecated: o.Deprecated, PathParams: pathParams(path),
			}
			for _, b := range o.Badges {
				if strings.EqualFold(b.Name, "beta") {
					op.Beta = true
				}
			}
			for _, p := range append(slices.Clip(shared), o.Parameters...) {
				if p.In == "query" && !slices.Contains(op.QueryParams, p.Name) {
					op.QueryParams = append(op.QueryParams, p.Name)
				}
			}
			if o.RequestBody != nil {
				op.RequestBody = sortedKeys(o.RequestBody.Content)
			}
			for status, r := range o.Responses {
				op.Responses = append(op.Responses, Response{Status: status, ContentTypes: sortedKeys(r.Content)})
			}
			slices.SortFunc(op.Responses, func(a, b Response) int { return strings.Compare(a.Status, b.Status) })
			ops = append(ops, op)
		}
	}
	slices.SortFunc(ops, func(a, b Operation) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return slices.Index(methods, strings.ToLower(a.Method)) - slices.Index(methods, strings.ToLower(b.Method))
	})
	return ops, nil
}

// pathParams returns the {names} in a templated path, in order.
func pathParams(path string) []string {
	var names []string
	for rest := path; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return names
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return names
		}
		names = append(names, rest[i+1:i+j])
		rest = rest[i+j+1:]
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
