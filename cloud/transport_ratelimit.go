package cloud

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimitTransport keeps a client under its request budget: a token bucket spreads requests
// (the documented budget is 10 per 10 s per key), and the server's own account of the budget
// overrides it: when an answer says X-RateLimit-Remaining: 0, or is a 429, no request leaves
// until X-RateLimit-Reset has passed. That second rule is what avoids 429s when the server's
// fixed window and the client's bucket disagree (other processes using the same key, or a
// raised limit).
type rateLimitTransport struct {
	next    http.RoundTripper
	limiter *rate.Limiter
	clock   clock

	mu          sync.Mutex
	pausedUntil time.Time
}

// resetMargin is added to the server's reset time before sending again, so that rounding and
// clock granularity do not land the next request in the old window.
const resetMargin = 5 * time.Millisecond

func newRateLimitTransport(next http.RoundTripper, requests int, per time.Duration, cl clock) *rateLimitTransport {
	every := rate.Every(per / time.Duration(requests))
	return &rateLimitTransport{next: next, limiter: rate.NewLimiter(every, requests), clock: cl}
}

func (t *rateLimitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	t.mu.Lock()
	pause := t.pausedUntil.Sub(t.clock.Now())
	t.mu.Unlock()
	if pause > 0 {
		if err := t.clock.Sleep(ctx, pause); err != nil {
			return nil, fmt.Errorf("cloud: waiting for the rate limit window to reset: %w", err)
		}
	}
	now := t.clock.Now()
	reservation := t.limiter.ReserveN(now, 1)
	if !reservation.OK() {
		return nil, fmt.Errorf("cloud: rate limiter cannot grant a request")
	}
	if delay := reservation.DelayFrom(now); delay > 0 {
		if err := t.clock.Sleep(ctx, delay); err != nil {
			reservation.CancelAt(t.clock.Now())
			return nil, fmt.Errorf("cloud: waiting for the client rate limit: %w", err)
		}
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		t.observe(resp)
	}
	return resp, err
}

// observe reads the server's view of the budget from an answer.
func (t *rateLimitTransport) observe(resp *http.Response) {
	h := resp.Header
	exhausted := resp.StatusCode == http.StatusTooManyRequests
	if v := h.Get("X-RateLimit-Remaining"); v != "" {
		if remaining, err := strconv.Atoi(v); err == nil && remaining <= 0 {
			exhausted = true
		}
	}
	if !exhausted {
		return
	}
	now := t.clock.Now()
	wait := retryAfter(h, now)
	if wait <= 0 {
		if resp.StatusCode != http.StatusTooManyRequests {
			return // Remaining 0 without a reset time: the token bucket has to do.
		}
		wait = time.Second
	}
	until := now.Add(wait + resetMargin)
	t.mu.Lock()
	if until.After(t.pausedUntil) {
		t.pausedUntil = until
	}
	t.mu.Unlock()
}
