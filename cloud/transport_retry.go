package cloud

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"time"
)

// RetryPolicy says how often and how long a call is retried. 429 answers are retried for every
// method (the server did not act on the request); 5xx answers, connection errors and truncated
// bodies only for GET, HEAD, PUT and DELETE, unless the call's context comes from
// AllowRetryOnWrite. 401, 403 and other 4xx answers are never retried.
type RetryPolicy struct {
	// MaxAttempts counts the first try; 1 disables retries. Default 5.
	MaxAttempts int
	// MaxElapsed bounds the time spent on one call including waits. Default 2 minutes.
	MaxElapsed time.Duration
	// BaseDelay is the first backoff after a 5xx or a connection error, doubled on each
	// attempt. Default 500 ms.
	BaseDelay time.Duration
	// MaxDelay caps one wait, including the wait a 429 asks for. Default 30 s.
	MaxDelay time.Duration
	// AttemptTimeout bounds one attempt (request, answer and body, not the wait for the rate
	// limiter), so that a hung connection is abandoned: retried when the method allows, and
	// ErrOutcomeUnknown for a POST or PATCH that was sent. Zero means the client's setting
	// (WithAttemptTimeout, else DefaultAttemptTimeout, 60 s); negative means no limit beyond
	// the call's context and the http.Client's Timeout.
	AttemptTimeout time.Duration
}

// DefaultRetryPolicy returns the policy New uses unless WithRetryPolicy is given.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 5, MaxElapsed: 2 * time.Minute, BaseDelay: 500 * time.Millisecond,
		MaxDelay: 30 * time.Second, AttemptTimeout: DefaultAttemptTimeout}
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = d.MaxElapsed
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = d.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = d.MaxDelay
	}
	return p
}

type ctxKey int

const (
	allowRetryOnWriteKey ctxKey = iota
	attemptKey
)

// AllowRetryOnWrite returns a context under which a POST or PATCH is replayed after a 5xx or a
// connection error, like an idempotent call. Use it only when replaying the write is harmless:
// the first attempt may have taken effect before the error.
func AllowRetryOnWrite(ctx context.Context) context.Context {
	return context.WithValue(ctx, allowRetryOnWriteKey, true)
}

func retryOnWriteAllowed(ctx context.Context) bool {
	allowed, _ := ctx.Value(allowRetryOnWriteKey).(bool)
	return allowed
}

// attemptFrom returns the attempt number the retry transport put in ctx (1 when none).
func attemptFrom(ctx context.Context) int {
	if n, ok := ctx.Value(attemptKey).(int); ok {
		return n
	}
	return 1
}

// retryTransport re-sends a request when the answer says it is worth it, waiting in between. It
// reads every answer's body in full, so a body cut off in transit is caught here (and retried when
// the method allows it) rather than in the caller's decoder.
type retryTransport struct {
	next   http.RoundTripper
	policy RetryPolicy
	clock  clock
	notify waitNotifier // WithWaitNotify: long waits are announced before they start
	// onlyRateLimited repeats 429 answers only (RateLimitedTransport): no 5xx, no connection error.
	onlyRateLimited bool
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ensureReplayableBody(req); err != nil {
		return nil, err
	}
	replayable := !t.onlyRateLimited && (idempotent(req.Method) || retryOnWriteAllowed(ctx))
	start := t.clock.Now()
	// acted says whether any attempt reached the server without an answer saying it did not act
	// (a 429): what decides, when the call fails, between ErrNotSent and ErrOutcomeUnknown.
	acted := false
	label := func(err error, status, attempts int) error {
		return labelOutcome(err, req.Method, req.URL.Path, acted, status, start, attempts)
	}
	for attempt := 1; ; attempt++ {
		attemptStart := t.clock.Now()
		resp, a, err := t.try(req, attempt)
		acted = acted || (a.sent && a.status != http.StatusTooManyRequests)
		ended := func() error {
			if acted && !idempotent(req.Method) {
				return label(context.Cause(ctx), a.status, attempt)
			}
			return label(fmt.Errorf("cloud: %s %s: %w", req.Method, req.URL.Path, context.Cause(ctx)), a.status, attempt)
		}
		if err != nil && ctx.Err() != nil {
			return nil, ended()
		}
		var delay time.Duration
		var reason WaitReason
		switch {
		case err != nil && !replayable:
			return nil, label(err, a.status, attempt)
		case err != nil:
			delay, reason = t.backoff(attempt), WaitNoAnswer
		case resp.StatusCode == http.StatusTooManyRequests:
			delay = retryAfter(resp.Header, t.clock.Now())
			if delay <= 0 {
				delay = t.backoff(attempt)
			}
			delay += jitter(delay)
			reason = WaitRateLimited
		case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented && replayable:
			delay, reason = t.backoff(attempt), WaitServerError
		default:
			// A whole answer is returned even when the caller's context ended as it arrived:
			// throwing away a create's answer would lose what it made.
			return resp, nil
		}
		if ctx.Err() != nil {
			if resp != nil {
				resp.Body.Close()
			}
			return nil, ended()
		}
		delay = min(delay, t.policy.MaxDelay)
		if attempt >= t.policy.MaxAttempts || t.clock.Now().Add(delay).Sub(start) > t.policy.MaxElapsed {
			resp, err = t.giveUp(resp, err, attempt, start)
			return resp, label(err, a.status, attempt)
		}
		if resp != nil {
			resp.Body.Close()
		}
		// A retry after an attempt that was itself slow is announced whatever the backoff:
		// the person has already been waiting without a word.
		slow := t.clock.Now().Sub(attemptStart) >= WaitNotifyThreshold
		t.notify.notify(WaitEvent{Reason: reason, Method: req.Method, Path: req.URL.Path, Wait: delay,
			Attempt: attempt + 1, MaxAttempts: t.policy.MaxAttempts, Status: a.status, Cause: err}, slow)
		if err := t.clock.Sleep(ctx, delay); err != nil {
			return nil, label(fmt.Errorf("cloud: %s %s: waiting %s before attempt %d: %w", req.Method, req.URL.Path, delay.Round(time.Millisecond), attempt+1, context.Cause(ctx)), 0, attempt)
		}
	}
}

// attemptInfo is what one attempt says about the request beyond its answer.
type attemptInfo struct {
	// sent: the request may have reached the server (see sendTrace).
	sent bool
	// status of the answer, also when its body was then cut off; 0 when none arrived.
	status int
}

// try makes one attempt and returns the answer with its whole body in memory.
func (t *retryTransport) try(req *http.Request, attempt int) (*http.Response, attemptInfo, error) {
	// The attempt's own deadline is set below the rate limiter (attemptTimeoutTransport), so
	// that waiting for the budget does not eat into it.
	ctx := req.Context()
	if attempt > 1 {
		ctx = context.WithValue(ctx, attemptKey, attempt)
	}
	// Every attempt is watched, so that a failure can say whether the server may have seen it.
	var st sendTrace
	ctx = httptrace.WithClientTrace(ctx, st.trace())
	r := req.WithContext(ctx)
	if attempt > 1 && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, attemptInfo{}, fmt.Errorf("cloud: re-reading the request body: %w", err)
		}
		r.Body = body
	}
	resp, err := t.next.RoundTrip(r)
	var info attemptInfo
	if err == nil {
		// An answer arrived, so the request did reach the server whatever the trace saw.
		info = attemptInfo{sent: true, status: resp.StatusCode}
		if err = bufferBody(resp); err != nil {
			resp = nil
		}
	} else {
		info.sent = st.mayHaveArrived()
	}
	return resp, info, err
}

// giveUp returns the last answer or error once no attempt is left, saying how many were made.
func (t *retryTransport) giveUp(resp *http.Response, err error, attempts int, start time.Time) (*http.Response, error) {
	if attempts <= 1 {
		return resp, err
	}
	if err != nil {
		// net/http wraps this in a *url.Error that already names the method and URL.
		return nil, fmt.Errorf("cloud: no answer after %d attempts in %s: %w",
			attempts, t.clock.Now().Sub(start).Round(100*time.Millisecond), err)
	}
	// The count rides on the buffered body, which the answer keeps after the generated client
	// has read and closed it, rather than on a header the server never sent.
	if b, ok := resp.Body.(*bufferedBody); ok {
		b.attempts = attempts
	}
	return resp, nil
}

// backoff is the wait before attempt n+1 after a 5xx or connection error: exponential, with
// jitter so that clients sharing a failure do not come back in step.
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.policy.BaseDelay << min(attempt-1, 20)
	if d > t.policy.MaxDelay || d <= 0 {
		d = t.policy.MaxDelay
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// jitter adds up to 10% (at most one second) to a wait the server asked for, so that clients
// released by the same reset do not all arrive at the same instant.
func jitter(d time.Duration) time.Duration {
	spread := min(d/10, time.Second)
	if spread <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(spread)))
}

// ensureReplayableBody makes sure each attempt can send the same bytes: requests built by
// net/http from a bytes.Reader already have GetBody; anything else is read once into memory.
func ensureReplayableBody(req *http.Request) error {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil {
		return nil
	}
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return fmt.Errorf("cloud: reading the request body: %w", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	return nil
}

// bufferedBody is a response body already read in full. When its bytes came from bodyBuffers,
// Close gives them back, so nothing may keep data after closing the body.
type bufferedBody struct {
	bytes.Reader
	data []byte
	buf  *bytes.Buffer // where data lives when it is pooled; nil otherwise
	// dropped lists the values tolerant decoding replaced by null (see DecodeWarnings); it
	// outlives Close.
	dropped []DecodeWarning
	// attempts is how many times the retry transport sent the request when it gave up with
	// this answer, 0 when it was sent once (see ParseResponseError); it outlives Close.
	attempts int
	// contentType is the Content-Type the server gave an answer tolerant decoding relabelled
	// (see OriginalContentType); it outlives Close.
	contentType string
}

// Close empties the body and recycles its buffer. It may be called more than once.
func (b *bufferedBody) Close() error {
	if b.buf != nil {
		b.Reader.Reset(nil)
		b.data = nil
		putBodyBuffer(b.buf)
		b.buf = nil
	}
	return nil
}

// bodyBuffers recycles the buffers answers are read into. The generated client copies every
// body it parses (io.ReadAll) and then closes it, so without reuse the SDK's own copy would
// double what each call allocates: about 420 KB more for a list of 200 services.
//
// A small free list, not a sync.Pool: a pool is emptied by every garbage collection, and with
// answers of hundreds of KB a collection comes every few calls, so nearly every call allocated
// its buffer anew and the collector became the main cost of decoding a list (1.23x raw
// net/http + encoding/json with the pool; about 1.08x with buffers that survive collection).
var bodyBuffers = make(chan *bytes.Buffer, 4)

func getBodyBuffer() *bytes.Buffer {
	select {
	case b := <-bodyBuffers:
		return b
	default:
		return new(bytes.Buffer)
	}
}

func putBodyBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBody {
		return
	}
	select {
	case bodyBuffers <- b:
	default: // the list is full: let the collector have it
	}
}

// maxPooledBody keeps an exceptionally large answer from pinning its buffer in the pool.
const maxPooledBody = 4 << 20

func bufferBody(resp *http.Response) error {
	if _, ok := resp.Body.(*bufferedBody); ok {
		return nil
	}
	buf, err := readBody(resp)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("cloud: reading the answer (status %d): %w", resp.StatusCode, err)
	}
	b := &bufferedBody{data: buf.Bytes(), buf: buf}
	b.Reset(b.data)
	resp.Body = b
	resp.ContentLength = int64(len(b.data))
	return nil
}

// readBody reads a whole body into a pooled buffer, sized in advance when the length is
// announced. A body cut short fails here (io.ErrUnexpectedEOF), which is what lets the retry
// transport catch truncated answers.
func readBody(resp *http.Response) (*bytes.Buffer, error) {
	buf := getBodyBuffer()
	buf.Reset()
	if n := resp.ContentLength; n > 0 && n < 64<<20 {
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom wants MinRead spare bytes before it sees EOF
	}
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		putBodyBuffer(buf)
		return nil, err
	}
	return buf, nil
}

func setBufferedBody(resp *http.Response, data []byte) {
	b := &bufferedBody{data: data}
	b.Reset(data)
	resp.Body = b
	resp.ContentLength = int64(len(data))
}
