package cloud

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func TestTokenBucketSpreadsRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, serviceBody("s", "running")) }))
	defer srv.Close()
	clk := newFakeClock()
	c := newTestClient(t, srv, withClock(clk), WithRateLimit(10, 10*time.Second))
	start := clk.Now()
	for range 25 {
		if err := Check(c.InstanceGetWithResponse(context.Background(), testOrg, "s")); err != nil {
			t.Fatal(err)
		}
	}
	// A burst of 10, then one per second.
	if elapsed := clk.Now().Sub(start); elapsed < 14900*time.Millisecond || elapsed > 15100*time.Millisecond {
		t.Errorf("25 calls took %s of budget time, want 15 s", elapsed)
	}
}

// TestServerBudgetOverridesTheBucket: the server says its window is spent (another process uses
// the same key); the client holds every request until the window resets, so no 429 happens.
func TestServerBudgetOverridesTheBucket(t *testing.T) {
	clk := newFakeClock()
	start := clk.Now()
	var mu sync.Mutex
	var at []time.Duration
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		at = append(at, clk.Now().Sub(start))
		n := len(at)
		mu.Unlock()
		if n == 3 {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", "3.5")
		}
		writeJSON(w, 200, serviceBody("s", "running"))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, withClock(clk), WithRateLimit(100, 10*time.Second))
	for range 5 {
		if err := Check(c.InstanceGetWithResponse(context.Background(), testOrg, "s")); err != nil {
			t.Fatal(err)
		}
	}
	if len(at) != 5 || at[3]-at[2] < 3500*time.Millisecond || at[3]-at[2] > 3600*time.Millisecond {
		t.Errorf("request times %v: the fourth should wait for the 3.5 s reset", at)
	}
}

func TestRateLimitWaitHonoursContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, serviceBody("s", "running")) }))
	defer srv.Close()
	c := newTestClient(t, srv, withClock(realClock{}), WithRateLimit(1, time.Hour))
	if err := Check(c.InstanceGetWithResponse(context.Background(), testOrg, "s")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Check(c.InstanceGetWithResponse(ctx, testOrg, "s"))
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("err = %v after %s: the limiter wait ignored the context", err, time.Since(start))
	}
	// The cancelled reservation was returned: after the context error the bucket is not
	// deeper in debt than one request.
	if tokens := c.http.Transport.(*tolerantTransport).next.(*retryTransport).next.(*rateLimitTransport).limiter.Tokens(); tokens < -1.01 {
		t.Errorf("bucket at %.2f tokens after a cancelled wait", tokens)
	}
}

func TestNewRejectsABadRateLimit(t *testing.T) {
	if _, err := New(WithCredentials("k", "s"), WithRateLimit(0, time.Second)); err == nil {
		t.Error("WithRateLimit(0, 1s) accepted")
	}
}
