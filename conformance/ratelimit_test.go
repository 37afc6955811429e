package conformance

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

func TestPoliteTransportWaitsOutRateLimitAndResendsBody(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		n := len(bodies)
		mu.Unlock()
		if n < 3 {
			w.Header().Set("X-RateLimit-Reset", "2.5")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"error":"TOO_MANY_REQUESTS"}`)
			return
		}
		_, _ = io.WriteString(w, `{"status":200}`)
	}))
	defer srv.Close()
	var waits []time.Duration
	tr := newPoliteTransport(http.DefaultTransport, 0)
	tr.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"name":"x"}`))
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200 after the rate limit passed", resp.StatusCode)
	}
	if len(bodies) != 3 || bodies[2] != `{"name":"x"}` {
		t.Errorf("requests carried %q, want the body re-sent each time", bodies)
	}
	if len(waits) != 2 || waits[0] != 2600*time.Millisecond {
		t.Errorf("waits = %v, want two waits of the announced reset (2.5 s) plus a margin", waits)
	}
}

func TestPoliteTransportGivesUpAfterRetries(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	tr := newPoliteTransport(http.DefaultTransport, 0)
	tr.sleep = func(context.Context, time.Duration) error { return nil }
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || calls != maxRateRetries+1 {
		t.Errorf("status %d after %d calls, want 429 after %d", resp.StatusCode, calls, maxRateRetries+1)
	}
}

// A cancelled run stops waiting out a rate limit at once instead of sleeping the window.
func TestPoliteTransportWaitRespectsContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Reset", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	start := time.Now()
	_, err := (&http.Client{Transport: newPoliteTransport(http.DefaultTransport, 0)}).Do(req)
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("err %v after %v, want the context's error at once", err, time.Since(start))
	}
}
