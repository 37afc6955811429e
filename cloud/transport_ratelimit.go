package cloud

import (
	"fmt"
	"net/http"
	"time"
)

// rateLimitTransport keeps a client within its key's request budget (see budget): every attempt,
// retries included (the retry transport sits above this one), asks the budget before it leaves
// and reports its answer after. Under WithoutRateLimit it only reports answers, so that waiters
// still know how busy the key is.
type rateLimitTransport struct {
	next   http.RoundTripper
	budget *budget
	// notify hears of long waits for the budget (WithWaitNotify); maxAttempts completes the
	// event's "attempt 2 of 5".
	notify      waitNotifier
	maxAttempts int
}

func newRateLimitTransport(next http.RoundTripper, b *budget, notify waitNotifier, maxAttempts int) *rateLimitTransport {
	return &rateLimitTransport{next: next, budget: b, notify: notify, maxAttempts: maxAttempts}
}

func (t *rateLimitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var onWait func(time.Duration)
	if t.notify.enabled() {
		onWait = func(d time.Duration) {
			t.notify.notify(WaitEvent{Reason: WaitBudget, Method: req.Method, Path: req.URL.Path, Wait: d,
				Attempt: attemptFrom(req.Context()), MaxAttempts: t.maxAttempts}, false)
		}
	}
	tk, err := t.budget.acquire(req.Context(), onWait)
	if err != nil {
		return nil, fmt.Errorf("cloud: waiting for the API key's request budget: %w", err)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		resp = nil // a RoundTripper returning both is broken; the answer cannot be trusted
	}
	t.budget.release(tk, resp)
	return resp, err
}

// RateLimitedTransport returns next kept within an API key's request budget the way a Client
// keeps its own requests: at most requests per period, adjusted by the X-RateLimit-* headers of
// the answers, and a 429 answer (a request the API did not act on, so safe to send again whatever
// its method) waited out and sent again, up to DefaultRetryPolicy's attempts. Nothing else is
// repeated, so that code which records the API's answers, such as the conformance suite, gets every
// other answer as it came. requests <= 0 means no budget: only 429s are waited out. It adds no
// credentials; waits end with the request's context.
func RateLimitedTransport(next http.RoundTripper, requests int, per time.Duration) http.RoundTripper {
	return newRateLimitedTransport(next, requests, per, realClock{})
}

func newRateLimitedTransport(next http.RoundTripper, requests int, per time.Duration, cl clock) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	policy := DefaultRetryPolicy()
	b := newBudget(cl, requests, per, requests > 0 && per > 0, false)
	return &retryTransport{next: newRateLimitTransport(next, b, waitNotifier{}, policy.MaxAttempts),
		policy: policy, clock: cl, onlyRateLimited: true}
}
