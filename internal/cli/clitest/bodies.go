package clitest

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// Bodies records the body of every request that changes something (not GET or HEAD), as sent,
// so tests can pin exactly what a command puts on the wire. Call it before the first command.
func (e *Env) Bodies() func() []string {
	base := http.DefaultTransport
	if e.F.HTTPClient != nil && e.F.HTTPClient.Transport != nil {
		base = e.F.HTTPClient.Transport
	}
	rec := &recorder{next: base}
	e.F.HTTPClient = &http.Client{Transport: rec}
	e.F.ResetClient()
	return func() []string {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		out := rec.bodies
		rec.bodies = nil
		return out
	}
}

type recorder struct {
	next   http.RoundTripper
	mu     sync.Mutex
	bodies []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead && req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		r.mu.Lock()
		r.bodies = append(r.bodies, req.Method+" "+string(b))
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}
