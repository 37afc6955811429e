package cloud

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	testKeyID     = "test-key-id-0f3a"
	testKeySecret = "test-key-secret-9b7c4e1d"
	testOrg       = "org-1"
)

// fakeClock runs waits instantly: Sleep moves time forward by the requested duration.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if d > 0 {
		f.now = f.now.Add(d)
	}
	f.sleeps = append(f.sleeps, d)
	return nil
}

func (f *fakeClock) slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// newTestClient returns a client for srv with its own transport (closed at cleanup, so goleak
// sees no idle connections), no rate limit and a fake clock unless opts say otherwise.
func newTestClient(t testing.TB, srv *httptest.Server, opts ...Option) *Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	all := append([]Option{
		WithCredentials(testKeyID, testKeySecret),
		WithBaseURL(srv.URL),
		WithHTTPClient(&http.Client{Transport: tr}),
		WithoutRateLimit(),
		withClock(newFakeClock()),
	}, opts...)
	c, err := New(all...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func serviceBody(id, state string) string {
	return `{"status":200,"requestId":"req-` + id + `","result":{"id":"` + id + `","name":"svc","state":"` + state + `","provider":"aws","region":"us-east-1"}}`
}

func ptr[T any](v T) *T { return &v }

// bodyServer is a test server that keeps the body of every request it gets and answers the n-th
// (from 1) with answer(n, w).
func bodyServer(t testing.TB, answer func(n int, w http.ResponseWriter)) (srv *httptest.Server, bodies func() []string) {
	var mu sync.Mutex
	var got []string
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		n := len(got)
		mu.Unlock()
		answer(n, w)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// fixedWindow is the API's rate limit as the test servers play it: a window opens with the first
// request after the previous one ended, and a refused request is not counted. Callers hold their
// own lock.
type fixedWindow struct {
	limit       int
	window      time.Duration
	windowStart time.Time
	used        int
}

// takeLocked counts one request at now, if the window has room, and says what is left.
func (fw *fixedWindow) takeLocked(now time.Time) (ok bool, remaining int, reset time.Duration) {
	if fw.windowStart.IsZero() || now.Sub(fw.windowStart) >= fw.window {
		fw.windowStart, fw.used = now, 0
	}
	reset = fw.window - now.Sub(fw.windowStart)
	if fw.used >= fw.limit {
		return false, 0, reset
	}
	fw.used++
	return true, fw.limit - fw.used, reset
}

// announce sets the budget headers the real API sends on every answer.
func (fw *fixedWindow) announce(h http.Header, remaining int, reset time.Duration, policy bool) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(fw.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(reset.Seconds(), 'f', -1, 64))
	if policy {
		h.Set("X-RateLimit-Policy", fmt.Sprintf("%d;w=%g;comment=\"fixed window\"", fw.limit, fw.window.Seconds()))
	}
}
