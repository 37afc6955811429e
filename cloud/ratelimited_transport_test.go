package cloud

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// A 429 is waited out for the time the answer announces and the request, body and all, sent
// again, whatever its method: the API did not act on it.
func TestRateLimitedTransportWaitsOutA429AndResendsTheBody(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		n := len(bodies)
		mu.Unlock()
		if n < 3 {
			w.Header().Set("Retry-After", "2.5")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, `{"status":200}`)
	}))
	defer srv.Close()
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
	if len(bodies) != 3 || bodies[2] != `{"name":"x"}` {
		t.Errorf("requests carried %q, want the body sent each time", bodies)
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

// Nothing but a 429 is repeated: a 500 or a refused connection is what the API (or the network)
// did, and a recorder above must see it.
func TestRateLimitedTransportRepeatsNothingElse(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	resp, err := (&http.Client{Transport: newRateLimitedTransport(nil, 0, 0, newFakeClock())}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 || calls != 1 {
		t.Errorf("status %d after %d calls, want the 500 after 1", resp.StatusCode, calls)
	}
}

func TestRateLimitedTransportGivesUp(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	resp, err := (&http.Client{Transport: newRateLimitedTransport(nil, 0, 0, newFakeClock())}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := DefaultRetryPolicy().MaxAttempts; resp.StatusCode != http.StatusTooManyRequests || calls != want {
		t.Errorf("status %d after %d calls, want the 429 after %d", resp.StatusCode, calls, want)
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
