package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// EnvRateLimit sets how many requests per 10 seconds record and live mode send (0: no limit).
// The default follows the real API's documented limit for a key, 10 per 10 seconds; runs against
// the in-process fake are not limited.
const EnvRateLimit = "CHCLOUD_CONFORMANCE_RATE_LIMIT"

// rateLimitWindow is the real API's fixed window.
const rateLimitWindow = 10 * time.Second

// maxRateRetries bounds how often one request is repeated after 429 answers.
const maxRateRetries = 5

// politeTransport keeps a run under the API's rate limit, and waits out a 429 (which means the
// request was not processed, so repeating it is safe for any method) instead of handing it to
// the scenario: a rate limit hit by the suite itself is not drift of the operation it called.
type politeTransport struct {
	next    http.RoundTripper
	limiter *rate.Limiter // nil: no limit
	// sleep waits d or until ctx is done, whichever comes first (tests replace it).
	sleep func(ctx context.Context, d time.Duration) error
}

func newPoliteTransport(next http.RoundTripper, perWindow int) *politeTransport {
	t := &politeTransport{next: next, sleep: sleepCtx}
	if perWindow > 0 {
		t.limiter = rate.NewLimiter(rate.Every(rateLimitWindow/time.Duration(perWindow)), perWindow)
	}
	return t
}

func (t *politeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		_ = r.Body.Close()
	}
	for attempt := 0; ; attempt++ {
		if t.limiter != nil {
			if err := t.limiter.Wait(r.Context()); err != nil {
				return nil, err
			}
		}
		try := r.Clone(r.Context())
		if body != nil {
			try.Body = io.NopCloser(bytes.NewReader(body)) // a repeated request re-sends its body
			try.ContentLength = int64(len(body))
		}
		resp, err := t.next.RoundTrip(try)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || attempt == maxRateRetries {
			return resp, err
		}
		wait := resetAfter(resp.Header)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if err := t.sleep(r.Context(), wait); err != nil {
			return nil, fmt.Errorf("conformance: waiting out a rate limit: %w", err)
		}
	}
}

// sleepCtx waits d, or returns ctx's error as soon as it is done: a cancelled run must not sit
// out a rate-limit window.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// resetAfter reads how long the rate limit window has left (X-RateLimit-Reset in seconds,
// possibly fractional, or Retry-After); a full window when the answer does not say.
func resetAfter(h http.Header) time.Duration {
	for _, name := range []string{"X-RateLimit-Reset", "Retry-After"} {
		if s, err := strconv.ParseFloat(h.Get(name), 64); err == nil && s >= 0 && s <= 3600 {
			return time.Duration(s*float64(time.Second)) + 100*time.Millisecond
		}
	}
	return rateLimitWindow
}
