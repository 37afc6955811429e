package clitest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Bodies records the body of every request that changes something (not GET or HEAD), as sent,
// so tests can pin exactly what a command puts on the wire. Call it before the first command.
func (e *Env) Bodies() *Recorder {
	base := http.DefaultTransport
	if e.F.HTTPClient != nil && e.F.HTTPClient.Transport != nil {
		base = e.F.HTTPClient.Transport
	}
	rec := &Recorder{next: base}
	e.F.HTTPClient = &http.Client{Transport: rec}
	e.F.ResetClient()
	return rec
}

// Recorder is an http.RoundTripper that keeps "METHOD body" for each request with a body.
type Recorder struct {
	next   http.RoundTripper
	mu     sync.Mutex
	bodies []string
}

// RoundTrip records the request's body and sends the request on.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
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

// Want fails t unless the bodies recorded since the last Want are want, byte for byte, in order.
func (r *Recorder) Want(t testing.TB, want ...string) {
	t.Helper()
	r.mu.Lock()
	got := r.bodies
	r.bodies = nil
	r.mu.Unlock()
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("request bodies:\n%s\nwant:\n%s", g, w)
	}
}
