package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/chcloud-dev/chcloud/spec"
)

// Exchange is one call and its answer, as the suite saw it (scrubbed, in record and replay mode).
type Exchange struct {
	Op     spec.Operation
	URL    string
	Status int
	Header http.Header
	Body   []byte
}

// OK reports a 2xx answer.
func (x *Exchange) OK() bool { return x.Status >= 200 && x.Status < 300 }

// Result decodes the "result" member of the answer's envelope into v.
func (x *Exchange) Result(v any) error {
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(x.Body, &env); err != nil {
		return fmt.Errorf("%s: answer %d is not a JSON envelope: %w", x.Op.ID, x.Status, err)
	}
	if len(env.Result) == 0 {
		return fmt.Errorf("%s: answer %d has no result", x.Op.ID, x.Status)
	}
	if err := json.Unmarshal(env.Result, v); err != nil {
		return fmt.Errorf("%s: decoding result: %w", x.Op.ID, err)
	}
	return nil
}

// Error describes a non-2xx answer without its body (which may hold anything).
func (x *Exchange) Error() string {
	var env struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(x.Body, &env)
	if len(env.Error) > 200 {
		env.Error = env.Error[:200]
	}
	return fmt.Sprintf("%s answered %d %s", x.Op.ID, x.Status, env.Error)
}

// Request is what a scenario asks for: path parameters, query and body.
type Request struct {
	Params map[string]string
	Query  url.Values
	Body   any // marshalled as JSON; nil for none
}

// Caller makes raw calls by operation, so that the answer is judged byte for byte and not after
// the generated client has interpreted it.
type Caller struct {
	HTTP    *http.Client
	BaseURL string
	// Observe, when set, sees every exchange (the suite checks those of the operation under test).
	Observe func(*Exchange)
}

// UserAgent identifies the suite's calls.
const UserAgent = "chcloud-conformance"

// Call calls op with req.
func (c *Caller) Call(ctx context.Context, op spec.Operation, req Request) (*Exchange, error) {
	path := op.Path
	for _, name := range op.PathParams {
		v, ok := req.Params[name]
		if !ok || v == "" {
			return nil, fmt.Errorf("%s: no value for path parameter %s", op.ID, name)
		}
		path = strings.Replace(path, "{"+name+"}", url.PathEscape(v), 1)
	}
	u := strings.TrimRight(c.BaseURL, "/") + path
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	var body io.Reader
	if req.Body != nil {
		raw, err := json.Marshal(req.Body)
		if err != nil {
			return nil, fmt.Errorf("%s: encoding the request body: %w", op.ID, err)
		}
		body = bytes.NewReader(raw)
	}
	hr, err := http.NewRequestWithContext(ctx, op.Method, u, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op.ID, err)
	}
	hr.Header.Set("User-Agent", UserAgent)
	hr.Header.Set("Accept", "application/json, text/plain, application/x-pem-file, */*")
	if req.Body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%s %s %s: %w", op.ID, op.Method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", op.ID, err)
	}
	x := &Exchange{Op: op, URL: path, Status: resp.StatusCode, Header: resp.Header, Body: raw}
	if c.Observe != nil {
		c.Observe(x)
	}
	return x, nil
}
