package cloud

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// transportOf finds the transport of type T in the client's chain.
func transportOf[T http.RoundTripper](c *Client) (T, bool) {
	next := c.http.Transport
	for next != nil {
		if t, ok := next.(T); ok {
			return t, true
		}
		switch tr := next.(type) {
		case *tolerantTransport:
			next = tr.next
		case *retryTransport:
			next = tr.next
		case *rateLimitTransport:
			next = tr.next
		case *attemptTimeoutTransport:
			next = tr.next
		case *credentialGuard:
			next = tr.next
		case *logTransport:
			next = tr.next
		default:
			next = nil
		}
	}
	var zero T
	return zero, false
}

func attemptTimeoutOf(t *testing.T, c *Client) time.Duration {
	t.Helper()
	tr, ok := transportOf[*attemptTimeoutTransport](c)
	if !ok {
		t.Fatal("no attempt timeout transport in the chain")
	}
	return tr.timeout
}

// The per-attempt limit is on by default, and the options set or remove it; between
// WithAttemptTimeout and RetryPolicy.AttemptTimeout the later one wins.
func TestAttemptTimeoutSettings(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	for _, tc := range []struct {
		name string
		opts []Option
		want time.Duration
	}{
		{"default", nil, DefaultAttemptTimeout},
		{"option", []Option{WithAttemptTimeout(5 * time.Second)}, 5 * time.Second},
		{"zero is none", []Option{WithAttemptTimeout(0)}, 0},
		{"policy without one keeps the default", []Option{WithRetryPolicy(RetryPolicy{MaxAttempts: 2})}, DefaultAttemptTimeout},
		{"policy", []Option{WithRetryPolicy(RetryPolicy{AttemptTimeout: 3 * time.Second})}, 3 * time.Second},
		{"negative policy is none", []Option{WithRetryPolicy(RetryPolicy{AttemptTimeout: -1})}, 0},
		{"later option wins", []Option{WithRetryPolicy(RetryPolicy{AttemptTimeout: 3 * time.Second}), WithAttemptTimeout(7 * time.Second)}, 7 * time.Second},
		{"later policy wins", []Option{WithAttemptTimeout(7 * time.Second), WithRetryPolicy(RetryPolicy{AttemptTimeout: 3 * time.Second})}, 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := attemptTimeoutOf(t, newTestClient(t, srv, tc.opts...)); got != tc.want {
				t.Errorf("attempt timeout = %s, want %s", got, tc.want)
			}
		})
	}
	if DefaultRetryPolicy().AttemptTimeout != DefaultAttemptTimeout {
		t.Error("DefaultRetryPolicy does not show the default attempt timeout")
	}
}

// stallBody sends the status and headers of a success, then nothing more.
func stallBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "500")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`{"status":200,`))
	w.(http.Flusher).Flush()
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

// A hung server ends each attempt at the attempt timeout, whether it sends nothing or stops in
// the middle of the body: a GET is retried, a POST is outcome unknown and sent once.
func TestAttemptTimeoutEndsAHungServer(t *testing.T) {
	for name, hang := range map[string]fault{"no answer": slowAnswer, "body stalls": stallBody} {
		t.Run(name, func(t *testing.T) {
			var gets, posts atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					posts.Add(1)
					readThen(hang)(w, r) // a server reads the body before it acts
					return
				}
				if gets.Add(1) == 1 {
					hang(w, r)
					return
				}
				writeJSON(w, 200, serviceBody("svc-1", "running"))
			}))
			defer srv.Close()
			var events []WaitEvent
			c := newTestClient(t, srv, WithAttemptTimeout(150*time.Millisecond), WithWaitNotify(func(e WaitEvent) { events = append(events, e) }))

			start := time.Now()
			if _, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "svc-1")); err != nil {
				t.Fatalf("GET after a hung attempt: %v", err)
			}
			if n := gets.Load(); n != 2 {
				t.Errorf("GET sent %d times, want 2", n)
			}
			// The backoff is short, but the person has waited a whole attempt: when that is
			// long enough to notice, the retry is announced (here it is not: 150 ms).
			if len(events) != 0 {
				t.Errorf("a short attempt and backoff were announced: %v", events)
			}

			err := createService(context.Background(), c)
			if !IsOutcomeUnknown(err) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("POST err = %v, want ErrOutcomeUnknown and a deadline", err)
			}
			if !strings.Contains(err.Error(), "attempt timeout") {
				t.Errorf("the error does not say which limit ran out: %v", err)
			}
			if n := posts.Load(); n != 1 {
				t.Errorf("POST sent %d times, want once", n)
			}
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("took %s: the hung server was not abandoned", elapsed)
			}
		})
	}
}

// A POST held by the rate limiter longer than the attempt timeout still goes: the limit starts
// when the request leaves.
func TestAttemptTimeoutExcludesTheRateLimitWait(t *testing.T) {
	var sends atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sends.Add(1)
		// The window is spent for the next 400 ms.
		w.Header().Set("X-RateLimit-Limit", "1")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", "0.4")
		if r.Method == http.MethodPost {
			writeJSON(w, 200, `{"status":200,"requestId":"r","result":{"service":{"id":"svc-1","state":"provisioning"},"password":"pw"}}`)
			return
		}
		writeJSON(w, 200, serviceBody("svc-1", "running"))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, WithRateLimit(10, 10*time.Second), withClock(realClock{}), WithAttemptTimeout(200*time.Millisecond))
	if _, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "svc-1")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := createService(context.Background(), c); err != nil {
		t.Fatalf("POST after a %s wait for the budget: %v", time.Since(start), err)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("the POST did not wait for the window (%s)", waited)
	}
	if n := sends.Load(); n != 2 {
		t.Errorf("sent %d requests, want 2", n)
	}
}

// The wait hook hears of every wait of 2 s or more, with a line a person can read, and of none
// shorter.
func TestWaitNotify(t *testing.T) {
	var mu sync.Mutex
	var events []WaitEvent
	record := WithWaitNotify(func(e WaitEvent) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})
	taken := func() []WaitEvent {
		mu.Lock()
		defer mu.Unlock()
		out := events
		events = nil
		return out
	}

	t.Run("429 with Retry-After", func(t *testing.T) {
		srv := failOnceThenRunning(t, func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			writeJSON(w, 429, `{"error":"TOO_MANY_REQUESTS"}`)
		})
		c := newTestClient(t, srv, record)
		if _, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "svc-1")); err != nil {
			t.Fatal(err)
		}
		got := taken()
		if len(got) != 1 {
			t.Fatalf("events = %v, want one", got)
		}
		e := got[0]
		if e.Reason != WaitRateLimited || e.Status != 429 || e.Attempt != 2 || e.MaxAttempts != 5 || e.Method != "GET" ||
			e.Path != "/v1/organizations/"+testOrg+"/services/svc-1" {
			t.Errorf("event = %+v", e)
		}
		// Retry-After 7 plus up to 10% jitter reads as 7s or 8s.
		if s := e.String(); s != "rate limited: waiting 7s, attempt 2 of 5" && s != "rate limited: waiting 8s, attempt 2 of 5" {
			t.Errorf("line = %q", s)
		}
	})

	t.Run("short backoff is not announced", func(t *testing.T) {
		srv := failOnceThenRunning(t, func(w http.ResponseWriter) {
			writeJSON(w, 503, `{"status":503,"error":"unavailable"}`)
		})
		c := newTestClient(t, srv, record)
		if _, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "svc-1")); err != nil {
			t.Fatal(err)
		}
		if got := taken(); len(got) != 0 {
			t.Errorf("a backoff of at most 500 ms was announced: %v", got)
		}
	})

	t.Run("long 5xx backoff", func(t *testing.T) {
		srv := failOnceThenRunning(t, func(w http.ResponseWriter) {
			writeJSON(w, 503, `{"status":503,"error":"unavailable"}`)
		})
		c := newTestClient(t, srv, record, WithRetryPolicy(RetryPolicy{BaseDelay: 6 * time.Second}))
		if _, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "svc-1")); err != nil {
			t.Fatal(err)
		}
		got := taken()
		if len(got) != 1 || got[0].Reason != WaitServerError || !strings.HasPrefix(got[0].String(), "server error 503: waiting ") {
			t.Errorf("events = %v", got)
		}
	})

	t.Run("budget spent", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-RateLimit-Limit", "10")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", "6")
			writeJSON(w, 200, serviceBody("svc-1", "running"))
		}))
		defer srv.Close()
		c := newTestClient(t, srv, record, WithRateLimit(10, 10*time.Second))
		for range 2 {
			if _, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "svc-1")); err != nil {
				t.Fatal(err)
			}
		}
		got := taken()
		if len(got) != 1 || got[0].Reason != WaitBudget || got[0].String() != "rate limit reached: waiting 6s" {
			t.Errorf("events = %v", got)
		}
	})
}

func TestWaitEventString(t *testing.T) {
	for _, tc := range []struct {
		e    WaitEvent
		want string
	}{
		{WaitEvent{Reason: WaitRateLimited, Wait: 6800 * time.Millisecond, Attempt: 2, MaxAttempts: 5}, "rate limited: waiting 7s, attempt 2 of 5"},
		{WaitEvent{Reason: WaitBudget, Wait: 9 * time.Second, Attempt: 1, MaxAttempts: 5}, "rate limit reached: waiting 9s"},
		{WaitEvent{Reason: WaitNoAnswer, Wait: 600 * time.Millisecond, Attempt: 3, MaxAttempts: 5}, "no answer: waiting 600ms, attempt 3 of 5"},
		{WaitEvent{Reason: WaitServerError, Status: 502, Wait: 4 * time.Second, Attempt: 2, MaxAttempts: 5}, "server error 502: waiting 4s, attempt 2 of 5"},
	} {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.e, got, tc.want)
		}
	}
}

// failOnceThenRunning serves first's answer to the first request and a running service to the
// rest: the shape of every "retried once" case here.
func failOnceThenRunning(t *testing.T, first func(w http.ResponseWriter)) *httptest.Server {
	t.Helper()
	var sends atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if sends.Add(1) == 1 {
			first(w)
			return
		}
		writeJSON(w, 200, serviceBody("svc-1", "running"))
	}))
	t.Cleanup(srv.Close)
	return srv
}
