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
	// The server announces nothing: a burst of 10, then one per second.
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
	// deeper in debt than one request, and nothing counts as in flight.
	c.budget.mu.Lock()
	tokens, inFlight := c.budget.bucket.Tokens(), c.budget.inFlight
	c.budget.mu.Unlock()
	if tokens < -1.01 || inFlight != 0 {
		t.Errorf("bucket at %.2f tokens, %d in flight after a cancelled wait", tokens, inFlight)
	}
}

func TestNewRejectsABadRateLimit(t *testing.T) {
	if _, err := New(WithCredentials("k", "s"), WithRateLimit(0, time.Second)); err == nil {
		t.Error("WithRateLimit(0, 1s) accepted")
	}
}

// windowServer is a fixed-window limit like the real API's and cloudtest's: a window opens with
// the first request after the previous one ended, a refused request is not counted, and every
// answer announces the budget. Other clients of the same key are simulated with spend.
type windowServer struct {
	now    func() time.Time
	t0     time.Time
	policy bool // announce X-RateLimit-Policy

	mu sync.Mutex
	fixedWindow
	served   int
	rejected int
	at       []time.Duration // when each request arrived, after t0
	// status, when set, answers the next requests with these statuses (after counting them).
	status []int
}

func newWindowServer(now func() time.Time, limit int, window time.Duration) *windowServer {
	return &windowServer{now: now, t0: now(), fixedWindow: fixedWindow{limit: limit, window: window}, policy: true}
}

// spend makes another client of the key use n requests now.
func (s *windowServer) spend(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.takeLocked(s.now())
	}
}

func (s *windowServer) setLimit(n int) {
	s.mu.Lock()
	s.limit = n
	s.mu.Unlock()
}

func (s *windowServer) counts() (served, rejected int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served, s.rejected
}

func (s *windowServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	now := s.now()
	s.at = append(s.at, now.Sub(s.t0))
	ok, remaining, reset := s.takeLocked(now)
	status := 200
	if len(s.status) > 0 {
		status, s.status = s.status[0], s.status[1:]
	}
	if !ok {
		s.rejected++
		status = 429
	} else if status == 200 {
		s.served++
	}
	s.announce(w.Header(), remaining, reset, s.policy)
	s.mu.Unlock()
	switch status {
	case 200:
		writeJSON(w, 200, serviceBody("s", "running"))
	case 429:
		writeJSON(w, 429, `{"error":"TOO_MANY_REQUESTS"}`)
	default:
		writeJSON(w, status, `{"status":500,"error":"INTERNAL_SERVER_ERROR: Internal error"}`)
	}
}

func getService(c *Client) error {
	return Check(c.InstanceGetWithResponse(context.Background(), testOrg, "s"))
}

// TestAdoptsTheAnnouncedBudget: a key raised to 40 per 10 s (X-RateLimit-Policy: 40;w=10) and a
// client left at the documented 10 per 10 s: the client follows the server from the first
// answer, so 200 calls take the 4 windows the budget allows, not 19.
func TestAdoptsTheAnnouncedBudget(t *testing.T) {
	clk := newFakeClock()
	s := newWindowServer(clk.Now, 40, 10*time.Second)
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv, withClock(clk), WithRateLimit(10, 10*time.Second))
	start := clk.Now()
	for range 200 {
		if err := getService(c); err != nil {
			t.Fatal(err)
		}
	}
	elapsed := clk.Now().Sub(start)
	if _, rejected := s.counts(); rejected != 0 || elapsed < 40*time.Second || elapsed > 41*time.Second {
		t.Errorf("200 calls took %s with %d 429s; want the 40 s of 4 windows, none refused", elapsed, rejected)
	}
	c.budget.mu.Lock()
	limit, window := c.budget.limit, c.budget.window
	c.budget.mu.Unlock()
	if limit != 40 || window != 10*time.Second {
		t.Errorf("budget %d per %s, want 40 per 10s", limit, window)
	}
}

// TestLearnsTheWindowWithoutPolicy: the fake announces w=0 for windows under a second, and other
// servers no policy at all; the window is then learnt from the resets.
func TestLearnsTheWindowWithoutPolicy(t *testing.T) {
	clk := newFakeClock()
	s := newWindowServer(clk.Now, 20, 200*time.Millisecond)
	s.policy = false
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv, withClock(clk), WithRateLimit(10, 10*time.Second))
	start := clk.Now()
	for range 100 {
		if err := getService(c); err != nil {
			t.Fatal(err)
		}
	}
	elapsed := clk.Now().Sub(start)
	if _, rejected := s.counts(); rejected != 0 || elapsed > 850*time.Millisecond {
		t.Errorf("100 calls took %s with %d 429s, want at most 850 ms (4 windows) and none refused", elapsed, rejected)
	}
	if w := c.budget.view().window; w != 200*time.Millisecond {
		t.Errorf("window learnt as %s, want 200ms", w)
	}
}

// TestFollowsALoweredBudget: the server lowers the key's limit from 40 to 20 per window; the
// client follows it down without a 429.
func TestFollowsALoweredBudget(t *testing.T) {
	clk := newFakeClock()
	s := newWindowServer(clk.Now, 40, 10*time.Second)
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv, withClock(clk), WithRateLimit(100, 10*time.Second))
	start := clk.Now()
	for i := range 100 {
		if i == 40 {
			s.setLimit(20)
		}
		if err := getService(c); err != nil {
			t.Fatal(err)
		}
	}
	// 40 in the first window, then 20 per window: 100 calls end in the fourth window.
	elapsed := clk.Now().Sub(start)
	if _, rejected := s.counts(); rejected != 0 || elapsed < 30*time.Second || elapsed > 31*time.Second {
		t.Errorf("100 calls took %s with %d 429s; want 30 s, none refused", elapsed, rejected)
	}
	if v := c.budget.view(); v.limit != 20 {
		t.Errorf("limit %d, want 20", v.limit)
	}
}

// TestTooManyRequestsWithReset: another client spent the window before this one's first call;
// the 429 names the reset, the call is retried after it, and nothing else is sent meanwhile.
func TestTooManyRequestsWithReset(t *testing.T) {
	clk := newFakeClock()
	s := newWindowServer(clk.Now, 10, 10*time.Second)
	srv := httptest.NewServer(s)
	defer srv.Close()
	s.spend(10) // another client opens the window and spends it
	_ = clk.Sleep(context.Background(), 6500*time.Millisecond)
	c := newTestClient(t, srv, withClock(clk))
	for range 3 {
		if err := getService(c); err != nil {
			t.Fatal(err)
		}
	}
	served, rejected := s.counts()
	if served != 3 || rejected != 1 {
		t.Errorf("%d served, %d refused; want 3 and 1", served, rejected)
	}
	if len(s.at) != 4 || s.at[1]-s.at[0] < 3500*time.Millisecond || s.at[1]-s.at[0] > 3900*time.Millisecond || s.at[3]-s.at[1] > 0 {
		t.Errorf("requests at %v: the retry should wait the 3.5 s reset (plus jitter), the next calls none", s.at)
	}
}

// TestRetriesMakeNoDebt: attempts refused with 429 and 5xx answers that are retried do not
// take budget from later windows: once the window resets, the client uses all of it.
func TestRetriesMakeNoDebt(t *testing.T) {
	for _, fixed := range []bool{false, true} {
		clk := newFakeClock()
		s := newWindowServer(clk.Now, 10, 10*time.Second)
		srv := httptest.NewServer(s)
		opts := []Option{withClock(clk), WithRateLimit(10, 10*time.Second)}
		if fixed {
			opts = append(opts, withFixedRateLimit())
		}
		c := newTestClient(t, srv, opts...)
		// Three 5xx answers, each retried, then another client spends what is left of the
		// window: the next call meets a 429 and waits for the reset.
		s.status = []int{500, 500, 500}
		if err := getService(c); err != nil {
			t.Fatal(err)
		}
		s.spend(10)
		start := clk.Now()
		for range 11 {
			if err := getService(c); err != nil {
				t.Fatal(err)
			}
		}
		elapsed := clk.Now().Sub(start)
		_, rejected := s.counts()
		t.Logf("fixed=%v: 11 calls after the retries took %s, %d 429s", fixed, elapsed, rejected)
		// The window of the retries ends 10 s after it opened (a few seconds of backoff
		// ago): 10 calls in the next window, the 11th in the one after.
		if !fixed && (rejected > 1 || elapsed > 20*time.Second) {
			t.Errorf("11 calls took %s with %d 429s; want at most 20 s and one 429", elapsed, rejected)
		}
		srv.Close()
	}
}

// TestConcurrentCallersShareTheBudget: 10 goroutines share one client under a 10 per window
// limit; requests in flight count against the window, so none is refused. (The fake clock
// moves when any goroutine sleeps, so only counts are checked, not time.)
func TestConcurrentCallersShareTheBudget(t *testing.T) {
	for _, limit := range []int{10, 40} {
		clk := newFakeClock()
		s := newWindowServer(clk.Now, limit, 10*time.Second)
		srv := httptest.NewServer(s)
		c := newTestClient(t, srv, withClock(clk), WithRateLimit(10, 10*time.Second))
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for range 10 {
			wg.Go(func() {
				for range 20 {
					if err := getService(c); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("limit %d: %v", limit, err)
		}
		if served, rejected := s.counts(); served != 200 || rejected != 0 {
			t.Errorf("limit %d: %d served, %d refused; want 200 and none", limit, served, rejected)
		}
		srv.Close()
	}
}

func TestParsePolicy(t *testing.T) {
	for _, tc := range []struct {
		in     string
		limit  int
		window time.Duration
		ok     bool
	}{
		{`40;w=10;comment="fixed window"`, 40, 10 * time.Second, true},
		{`10;w=0.2`, 10, 200 * time.Millisecond, true},
		{`10;w=0`, 10, 0, true},
		{`100;w=60, 1000;w=3600`, 100, time.Minute, true},
		{`x;w=10`, 0, 0, false},
		{``, 0, 0, false},
	} {
		limit, window, ok := parsePolicy(tc.in)
		if limit != tc.limit || window != tc.window || ok != tc.ok {
			t.Errorf("%q: %d %s %v", tc.in, limit, window, ok)
		}
	}
}
