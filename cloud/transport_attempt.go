package cloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// DefaultAttemptTimeout bounds one attempt (sending the request, the answer and its whole body)
// unless WithAttemptTimeout or RetryPolicy.AttemptTimeout say otherwise. The API answers in well
// under a second as a rule; its slowest operations answer in seconds to tens of seconds (a
// usage-cost report over a month, a ClickPipe create that checks its source, a service create
// while the region is busy). A minute leaves room for those and still ends a hung connection
// before a person gives up on the command.
const DefaultAttemptTimeout = 60 * time.Second

// attemptTimeoutTransport gives each attempt its own deadline. It sits below the rate limiter,
// so time spent waiting for the key's budget is not taken from the attempt, and the deadline
// lasts until the answer's body has been read or closed.
type attemptTimeoutTransport struct {
	next    http.RoundTripper
	timeout time.Duration
}

func (t *attemptTimeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.timeout <= 0 {
		return t.next.RoundTrip(req)
	}
	parent := req.Context()
	ctx, cancel := context.WithTimeout(parent, t.timeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, t.explain(req, parent, ctx, err)
	}
	resp.Body = &deadlineBody{ReadCloser: resp.Body, cancel: cancel, explain: func(err error) error {
		return t.explain(req, parent, ctx, err)
	}}
	return resp, nil
}

// explain says that an error came from the attempt's deadline (rather than the caller's, or the
// network), keeping the original error for errors.Is(err, context.DeadlineExceeded).
func (t *attemptTimeoutTransport) explain(req *http.Request, parent, ctx context.Context, err error) error {
	if parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &attemptTimeoutError{method: req.Method, path: req.URL.Path, timeout: t.timeout, err: err}
	}
	return err
}

// attemptTimeoutError is an attempt abandoned at its deadline. It matches
// context.DeadlineExceeded whatever net/http reported (it may say only "request canceled").
type attemptTimeoutError struct {
	method, path string
	timeout      time.Duration
	err          error
}

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("cloud: %s %s: no complete answer within %s (the attempt timeout): %v", e.method, e.path, e.timeout, e.err)
}

func (e *attemptTimeoutError) Unwrap() []error { return []error{e.err, context.DeadlineExceeded} }

// deadlineBody keeps the attempt's deadline alive while the body is read and releases it on
// Close.
type deadlineBody struct {
	io.ReadCloser
	cancel  context.CancelFunc
	explain func(error) error
	once    sync.Once
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = b.explain(err)
	}
	return n, err
}

func (b *deadlineBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.cancel)
	return err
}
