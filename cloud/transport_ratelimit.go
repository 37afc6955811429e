package cloud

import (
	"fmt"
	"net/http"
)

// rateLimitTransport keeps a client within its key's request budget (see budget): every attempt,
// retries included (the retry transport sits above this one), asks the budget before it leaves
// and reports its answer after. Under WithoutRateLimit it only reports answers, so that waiters
// still know how busy the key is.
type rateLimitTransport struct {
	next   http.RoundTripper
	budget *budget
}

func newRateLimitTransport(next http.RoundTripper, b *budget) *rateLimitTransport {
	return &rateLimitTransport{next: next, budget: b}
}

func (t *rateLimitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tk, err := t.budget.acquire(req.Context())
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
