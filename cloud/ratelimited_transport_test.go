package cloud

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A 429 is waited out for the time the answer announces and the request, body and all, sent
// again, whatever its method: the API did not act on it.
func TestRateLimitedTransportWaitsOutA429AndResendsTheBody(t *testing.T) {
	srv, bodies := bodyServer(t, func(n int, w http.ResponseWriter) {
		if n < 3 {
			w.Header().Set("Retry-After", "2.5")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		writeJSON(w, 200, `{"status":200}`)
	})
	clock := newFakeClock()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"name":"x"}`))
	resp, err := (&http.Client{Transport: newRateLimitedTransport(nil, 0, 0, clock)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200 once the rate limit passed", resp.StatusCode)
	}
	if got := bodies(); len(got) != 3 || got[2] != `{"name":"x"}` {
		t.Errorf("requests carried %q, want the body sent each time", got)
	}
	if len(clock.slept()) != 2 {
		t.Errorf("waited %v, want two waits", clock.slept())
	}
	for _, d := range clock.slept() {
		if d < 2500*time.Millisecond || d > 2750*time.Millisecond {
			t.Errorf("waited %v, want the announced 2.5 s (plus at most 10%% jitter)", d)
		}
	}
}

// Only a 429 is repeated, and only so often: a 500 is what the API did, and a recorder above
// must see it.
func TestRateLimitedTransportRepeatsOnly429s(t *testing.T) {
	for status, wantCalls := range map[int]int{
		http.StatusInternalServerError: 1,
		http.StatusTooManyRequests:     DefaultRetryPolicy().MaxAttempts,
	} {
		srv, bodies := bodyServer(t, func(_ int, w http.ResponseWriter) { w.WriteHeader(status) })
		resp, err := (&http.Client{Transport: newRateLimitedTransport(nil, 0, 0, newFakeClock())}).Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if calls := len(bodies()); resp.StatusCode != status || calls != wantCalls {
			t.Errorf("answering %d: got %d after %d calls, want it after %d", status, resp.StatusCode, calls, wantCalls)
		}
	}
}

// A cancelled run stops waiting at once instead of sitting out the window.
func TestRateLimitedTransportWaitEndsWithTheContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	done := make(chan error, 1)
	go func() {
		_, err := (&http.Client{Transport: RateLimitedTransport(nil, 10, 10*time.Second)}).Do(req)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("no error, want the context's")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("still waiting 30 s after the context ended")
	}
}

// The budget holds requests back: with 2 per 10 s, the third request waits for the window.
func TestRateLimitedTransportKeepsTheBudget(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	clock := newFakeClock()
	hc := &http.Client{Transport: newRateLimitedTransport(nil, 2, 10*time.Second, clock)}
	for range 3 {
		resp, err := hc.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if elapsed := clock.Now().Sub(newFakeClock().Now()); elapsed < 4*time.Second {
		t.Errorf("3 requests at 2 per 10 s took %v of the clock, want a wait of about 5 s", elapsed)
	}
}
