package cloud

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// fault is how the scripted server answers the first attempt; later attempts succeed.
type fault func(w http.ResponseWriter, r *http.Request)

func status(code int, headers map[string]string, body string) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		ct := "application/json"
		if strings.HasPrefix(body, "<") {
			ct = "text/html"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

func connectionReset(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		if tcp, ok := conn.(interface{ SetLinger(int) error }); ok {
			_ = tcp.SetLinger(0)
		}
		conn.Close()
	}
}

func truncatedBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "500")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"status":200,"result":{"id":"s`)
	w.(http.Flusher).Flush()
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func slowAnswer(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

type outcome int

const (
	succeeds outcome = iota
	apiError
	transportError
)

// TestFaultMatrix sends a GET (InstanceGet) and a POST (InstanceCreate) into each fault and
// checks the outcome and how many times the request reached the server: a POST is never sent
// twice unless the caller opted in, and 429 is retried for every method because the server did
// not act on the request.
func TestFaultMatrix(t *testing.T) {
	const errHTML = "<!DOCTYPE html><html><body>404 Not Found</body></html>"
	cases := []struct {
		name  string
		first fault
		// outcome and sends for GET, POST, and POST under AllowRetryOnWrite
		get, post, postOptIn outcome
		getN, postN, optInN  int
		check                func(t *testing.T, err error)
	}{
		{name: "429 with reset", first: status(429, map[string]string{"X-RateLimit-Reset": "1.5", "X-RateLimit-Remaining": "0"}, `{"error":"TOO_MANY_REQUESTS"}`),
			get: succeeds, post: succeeds, postOptIn: succeeds, getN: 2, postN: 2, optInN: 2},
		{name: "429 with Retry-After", first: status(429, map[string]string{"Retry-After": "3"}, `{"error":"TOO_MANY_REQUESTS"}`),
			get: succeeds, post: succeeds, postOptIn: succeeds, getN: 2, postN: 2, optInN: 2},
		{name: "429 without headers", first: status(429, nil, `{"error":"TOO_MANY_REQUESTS"}`),
			get: succeeds, post: succeeds, postOptIn: succeeds, getN: 2, postN: 2, optInN: 2},
		{name: "500", first: status(500, nil, `{"status":500,"error":"INTERNAL_SERVER_ERROR: Internal error"}`),
			get: succeeds, post: apiError, postOptIn: succeeds, getN: 2, postN: 1, optInN: 2},
		{name: "502 html", first: status(502, nil, "<html>bad gateway</html>"),
			get: succeeds, post: apiError, postOptIn: succeeds, getN: 2, postN: 1, optInN: 2},
		{name: "503", first: status(503, nil, ""), get: succeeds, post: apiError, postOptIn: succeeds, getN: 2, postN: 1, optInN: 2},
		{name: "504", first: status(504, nil, "upstream timeout"), get: succeeds, post: apiError, postOptIn: succeeds, getN: 2, postN: 1, optInN: 2},
		{name: "connection reset", first: connectionReset, get: succeeds, post: transportError, postOptIn: succeeds, getN: 2, postN: 1, optInN: 2},
		{name: "truncated body", first: truncatedBody, get: succeeds, post: transportError, postOptIn: succeeds, getN: 2, postN: 1, optInN: 2},
		{name: "slower than the attempt timeout", first: slowAnswer, get: succeeds, post: transportError, postOptIn: succeeds, getN: 2, postN: 1, optInN: 2,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("err = %v, want a deadline error", err)
				}
			}},
		{name: "html 404", first: status(404, nil, errHTML), get: apiError, post: apiError, postOptIn: apiError, getN: 1, postN: 1, optInN: 1,
			check: func(t *testing.T, err error) {
				if !IsRouteNotFound(err) || IsNotFound(err) {
					t.Errorf("HTML 404 gave %v: want route-not-found, not not-found", err)
				}
			}},
		{name: "401", first: status(401, nil, `{"error":"UNAUTHORIZED: Key is not found","status":401}`), get: apiError, post: apiError, postOptIn: apiError, getN: 1, postN: 1, optInN: 1,
			check: func(t *testing.T, err error) {
				if !IsUnauthorized(err) {
					t.Errorf("err = %v", err)
				}
			}},
		{name: "403", first: status(403, nil, `{"status":403,"error":"FORBIDDEN: no"}`), get: apiError, post: apiError, postOptIn: apiError, getN: 1, postN: 1, optInN: 1},
		{name: "409", first: status(409, nil, `{"status":409,"error":"CONFLICT: busy"}`), get: apiError, post: apiError, postOptIn: apiError, getN: 1, postN: 1, optInN: 1},
	}
	for _, tc := range cases {
		for _, call := range []struct {
			name   string
			want   outcome
			sends  int
			invoke func(ctx context.Context, c *Client) error
		}{
			{"GET", tc.get, tc.getN, func(ctx context.Context, c *Client) error {
				_, err := Result(c.InstanceGetWithResponse(ctx, testOrg, "svc-1"))
				return err
			}},
			{"POST", tc.post, tc.postN, func(ctx context.Context, c *Client) error {
				_, err := Result(c.InstanceCreateWithResponse(ctx, testOrg, cloudapi.InstanceCreateJSONRequestBody{Name: ptr("db")}))
				return err
			}},
			{"POST opted in", tc.postOptIn, tc.optInN, func(ctx context.Context, c *Client) error {
				_, err := Result(c.InstanceCreateWithResponse(AllowRetryOnWrite(ctx), testOrg, cloudapi.InstanceCreateJSONRequestBody{Name: ptr("db")}))
				return err
			}},
		} {
			t.Run(tc.name+"/"+call.name, func(t *testing.T) {
				var sends atomic.Int32
				var mu sync.Mutex
				var bodies []string
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					mu.Lock()
					bodies = append(bodies, string(body))
					mu.Unlock()
					if sends.Add(1) == 1 {
						tc.first(w, r)
						return
					}
					if r.Method == http.MethodPost {
						writeJSON(w, 200, `{"status":200,"requestId":"r","result":{"service":{"id":"svc-1","state":"provisioning"},"password":"pw"}}`)
						return
					}
					writeJSON(w, 200, serviceBody("svc-1", "running"))
				}))
				defer srv.Close()
				c := newTestClient(t, srv, WithRetryPolicy(RetryPolicy{AttemptTimeout: 100 * time.Millisecond}))
				err := call.invoke(context.Background(), c)
				var apiErr *APIError
				switch call.want {
				case succeeds:
					if err != nil {
						t.Fatalf("err = %v, want success", err)
					}
				case apiError:
					if !errors.As(err, &apiErr) {
						t.Fatalf("err = %v (%T), want *APIError", err, err)
					}
				case transportError:
					if err == nil || errors.As(err, &apiErr) {
						t.Fatalf("err = %v, want a transport error", err)
					}
				}
				if got := int(sends.Load()); got != call.sends {
					t.Errorf("server saw %d requests, want %d", got, call.sends)
				}
				mu.Lock()
				defer mu.Unlock()
				if call.name != "GET" && len(bodies) == 2 && (bodies[0] != bodies[1] || !strings.Contains(bodies[1], `"name":"db"`)) {
					t.Errorf("retried body differs: %q then %q", bodies[0], bodies[1])
				}
				if tc.check != nil && err != nil {
					tc.check(t, err)
				}
			})
		}
	}
}

func TestRetryWaitsForTheReset(t *testing.T) {
	var sends atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sends.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Reset", "7.25")
			writeJSON(w, 429, `{"error":"TOO_MANY_REQUESTS"}`)
			return
		}
		writeJSON(w, 200, serviceBody("s", "running"))
	}))
	defer srv.Close()
	clk := newFakeClock()
	c := newTestClient(t, srv, withClock(clk))
	if _, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "s")); err != nil {
		t.Fatal(err)
	}
	sleeps := clk.slept()
	if len(sleeps) != 1 || sleeps[0] < 7250*time.Millisecond || sleeps[0] > 7250*time.Millisecond+time.Second {
		t.Errorf("slept %v, want one wait of 7.25 s plus at most 1 s of jitter", sleeps)
	}
}

func TestRetryGivesUpAfterMaxAttempts(t *testing.T) {
	var sends atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sends.Add(1)
		writeJSON(w, 429, `{"error":"TOO_MANY_REQUESTS"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, WithRetryPolicy(RetryPolicy{MaxAttempts: 3}))
	_, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "s"))
	if !IsRateLimited(err) || sends.Load() != 3 {
		t.Errorf("err = %v after %d sends, want rate limited after 3", err, sends.Load())
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Attempts != 3 {
		t.Errorf("APIError.Attempts = %+v, want 3", apiErr)
	}
}

func TestFirstAnswerCarriesNoAttemptCount(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"status":404,"error":"NOT_FOUND: no such service"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	resp, err := c.InstanceGetWithResponse(context.Background(), testOrg, "s")
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.HTTPResponse.Header.Get("X-Chcloud-Attempts"); got != "" {
		t.Errorf("X-Chcloud-Attempts = %q: the SDK must not invent headers", got)
	}
	var apiErr *APIError
	if err := Check(resp, nil); !errors.As(err, &apiErr) || apiErr.Attempts != 0 {
		t.Errorf("Attempts = %+v, want 0 (sent once)", apiErr)
	}
}

// TestConnectionErrorsSayHowOftenTheyWereTried: a GET to a port nobody listens on is retried,
// and the final error says so, keeps the network error for errors.As, and names the URL.
func TestConnectionErrorsSayHowOftenTheyWereTried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	c := newTestClient(t, srv, WithBaseURL(url), WithRetryPolicy(RetryPolicy{MaxAttempts: 3}))
	_, err := c.InstanceGetWithResponse(context.Background(), testOrg, "s")
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	var netErr *net.OpError
	if !errors.As(err, &netErr) {
		t.Errorf("the network error is not kept: %v", err)
	}
	for _, want := range []string{"after 3 attempts", url} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestRetryStopsAtMaxElapsed(t *testing.T) {
	var sends atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sends.Add(1)
		w.Header().Set("Retry-After", "20")
		writeJSON(w, 429, `{"error":"TOO_MANY_REQUESTS"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, WithRetryPolicy(RetryPolicy{MaxAttempts: 10, MaxElapsed: 50 * time.Second}))
	_, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "s"))
	// Waits of 20-22 s: the third wait would pass 50 s, so there are three sends.
	if !IsRateLimited(err) || sends.Load() != 3 {
		t.Errorf("err = %v after %d sends, want rate limited after 3", err, sends.Load())
	}
}

// TestCancelDuringRetryWait uses the real clock: the server asks for a minute, the caller's
// context ends after a few milliseconds, and the call must return then.
func TestCancelDuringRetryWait(t *testing.T) {
	var sends atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sends.Add(1)
		w.Header().Set("Retry-After", "60")
		writeJSON(w, 429, `{"error":"TOO_MANY_REQUESTS"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, withClock(realClock{}))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for sends.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	start := time.Now()
	_, err := Result(c.InstanceGetWithResponse(ctx, testOrg, "s"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Errorf("returned after %s: the wait ignored the context", waited)
	}
	if sends.Load() != 1 {
		t.Errorf("%d sends, want 1", sends.Load())
	}
}

// TestUnrewindableBodyIsResentIntact sends a body net/http cannot rewind by itself.
func TestUnrewindableBodyIsResentIntact(t *testing.T) {
	srv, bodies := bodyServer(t, func(n int, w http.ResponseWriter) {
		if n == 1 {
			writeJSON(w, 503, "")
			return
		}
		writeJSON(w, 200, `{}`)
	})
	c := newTestClient(t, srv)
	payload := strings.Repeat(`{"name":"x"}`, 1000)
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/v1/anything", io.NopCloser(strings.NewReader(payload)))
	resp, err := c.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := bodies(); resp.StatusCode != 200 || len(got) != 2 || got[0] != payload || got[1] != payload {
		t.Errorf("status %d, bodies %d, want 200 and the %d-byte body twice", resp.StatusCode, len(got), len(payload))
	}
}

func TestRetryAfterHeaderForms(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		h    http.Header
		want time.Duration
	}{
		"seconds":          {http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		"date":             {http.Header{"Retry-After": {now.Add(4 * time.Second).Format(http.TimeFormat)}}, 4 * time.Second},
		"fractional reset": {http.Header{"X-Ratelimit-Reset": {"0.25"}}, 250 * time.Millisecond},
		"epoch reset":      {http.Header{"X-Ratelimit-Reset": {strconv.Itoa(1767225600)}}, 0},
		"garbage":          {http.Header{"Retry-After": {"soon"}}, 0},
		"none":             {http.Header{}, 0},
	}
	for name, tc := range cases {
		if got := retryAfter(tc.h, now); got != tc.want {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
}

// TestRawAnswerSaysHowOftenItWasSent: an answer read through Client.HTTPClient() (as `chcloud
// api` does) carries the count too, for ParseResponseError, without a header of the SDK's own.
func TestRawAnswerSaysHowOftenItWasSent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 429, `{"error":"TOO_MANY_REQUESTS"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, WithRetryPolicy(RetryPolicy{MaxAttempts: 2}))
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/organizations", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Header.Values("X-Chcloud-Attempts")) != 0 {
		t.Errorf("header %v: the SDK must not invent headers", resp.Header)
	}
	if e := ParseResponseError(resp, body); e.Attempts != 2 || e.Method != http.MethodGet || !IsRateLimited(e) {
		t.Errorf("ParseResponseError = %+v, want a 429 sent twice by GET", e)
	}
}
