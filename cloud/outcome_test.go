package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

func createService(ctx context.Context, c *Client) error {
	_, err := Result(c.InstanceCreateWithResponse(ctx, testOrg,
		cloudapi.InstanceCreateJSONRequestBody{Name: ptr("db")}))
	return err
}

// readThen reads the whole request (as a server does before it acts) and then misbehaves.
func readThen(f fault) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		f(w, r)
	}
}

// TestOutcomeOfALostAnswer: every way a POST's answer can be lost after the request was written
// is ErrOutcomeUnknown, with method, path and cause; the cause stays reachable.
func TestOutcomeOfALostAnswer(t *testing.T) {
	for _, tc := range []struct {
		name       string
		serve      fault
		wantStatus int
		ctxTimeout time.Duration
		check      func(t *testing.T, err error)
	}{
		{name: "connection reset after the request", serve: readThen(connectionReset)},
		{name: "body cut off", serve: readThen(truncatedBody), wantStatus: 200, check: func(t *testing.T, err error) {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("cause lost: %v", err)
			}
		}},
		{name: "attempt timeout", serve: readThen(slowAnswer), check: func(t *testing.T, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want a deadline error too", err)
			}
		}},
		{name: "caller's deadline", serve: readThen(slowAnswer), ctxTimeout: 50 * time.Millisecond, check: func(t *testing.T, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want a deadline error too", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sends atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sends.Add(1)
				tc.serve(w, r)
			}))
			defer srv.Close()
			policy := RetryPolicy{AttemptTimeout: 100 * time.Millisecond}
			if tc.ctxTimeout > 0 {
				policy.AttemptTimeout = time.Minute
			}
			c := newTestClient(t, srv, WithRetryPolicy(policy))
			ctx := context.Background()
			if tc.ctxTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctxTimeout)
				defer cancel()
			}
			err := createService(ctx, c)
			if !IsOutcomeUnknown(err) || IsNotSent(err) {
				t.Fatalf("err = %v, want ErrOutcomeUnknown only", err)
			}
			var lost *OutcomeUnknownError
			if !errors.As(err, &lost) {
				t.Fatalf("no *OutcomeUnknownError in %v", err)
			}
			if lost.Method != http.MethodPost || lost.Path != "/v1/organizations/"+testOrg+"/services" ||
				lost.Status != tc.wantStatus || lost.Cause == nil || lost.Started.IsZero() || lost.Attempts != 1 {
				t.Errorf("got %+v", lost)
			}
			if n := sends.Load(); n != 1 {
				t.Errorf("sent %d times, want once", n)
			}
			if strings.Contains(err.Error(), testKeySecret) {
				t.Errorf("the error shows the secret: %v", err)
			}
			if tc.check != nil {
				tc.check(t, err)
			}
		})
	}
}

// TestNotSent: a request that never reached the server is ErrNotSent, for every method, and the
// network error keeps its text and type.
func TestNotSent(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := newTestClient(t, srv, WithBaseURL(url), WithRetryPolicy(RetryPolicy{MaxAttempts: 2}))
	for name, call := range map[string]func() error{
		"POST": func() error { return createService(context.Background(), c) },
		"GET": func() error {
			_, err := c.InstanceGetWithResponse(context.Background(), testOrg, "s")
			return err
		},
	} {
		err := call()
		var opErr *net.OpError
		if !IsNotSent(err) || IsOutcomeUnknown(err) || !errors.As(err, &opErr) {
			t.Errorf("%s: err = %v, want ErrNotSent with the *net.OpError", name, err)
		}
		if !strings.Contains(err.Error(), "connect") {
			t.Errorf("%s: the text changed: %v", name, err)
		}
	}
}

// TestNotSentWhenRefusedWith429: a 429 says the server did not act, so a POST that ends while
// it waits to send again is "not sent", not "outcome unknown".
func TestNotSentWhenRefusedWith429(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		writeJSON(w, 429, `{"error":"TOO_MANY_REQUESTS"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, withClock(realClock{}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := createService(ctx, c)
	if !IsNotSent(err) || IsOutcomeUnknown(err) {
		t.Errorf("err = %v, want ErrNotSent", err)
	}
}

// TestLostAnswersOfIdempotentCallsAreNotLabelled: a GET whose answer is lost is retried, and
// when the retries run out its error is not "outcome unknown" (sending it again is harmless).
func TestLostAnswersOfIdempotentCallsAreNotLabelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(connectionReset))
	defer srv.Close()
	c := newTestClient(t, srv, WithRetryPolicy(RetryPolicy{MaxAttempts: 2}))
	_, err := c.InstanceGetWithResponse(context.Background(), testOrg, "s")
	if err == nil || IsOutcomeUnknown(err) || IsNotSent(err) {
		t.Errorf("err = %v, want an unlabelled transport error", err)
	}
}

// TestRetriedWriteThatWasSentIsOutcomeUnknown: under AllowRetryOnWrite, a first attempt that
// reached the server makes the call's outcome unknown even if the last attempt was not sent.
func TestRetriedWriteThatWasSentIsOutcomeUnknown(t *testing.T) {
	var sends atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sends.Add(1)
		readThen(connectionReset)(w, r)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, WithRetryPolicy(RetryPolicy{MaxAttempts: 3}))
	err := createService(AllowRetryOnWrite(context.Background()), c)
	var lost *OutcomeUnknownError
	if !errors.As(err, &lost) || lost.Attempts != 3 || sends.Load() != 3 {
		t.Errorf("err = %v (%+v) after %d sends, want outcome unknown after 3", err, lost, sends.Load())
	}
}

// TestAWholeAnswerSurvivesTheCallersDeadline: an answer that arrived in full is returned even if
// the caller's context ended just then, rather than lost.
func TestAWholeAnswerSurvivesTheCallersDeadline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"status":200,"requestId":"r","result":{"service":{"id":"svc-1"},"password":"pw"}}`)
	}))
	defer srv.Close()
	rt := &retryTransport{next: cancelAfter{http.DefaultTransport, cancel}, policy: DefaultRetryPolicy(), clock: realClock{}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/organizations/o/services", strings.NewReader(`{}`))
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("err = %v, want the answer", err)
	}
	defer resp.Body.Close()
	var body struct{ Result json.RawMessage }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || !strings.Contains(string(body.Result), "pw") {
		t.Errorf("answer lost: %s, %v", body.Result, err)
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

// cancelAfter ends the caller's context as soon as the answer's headers are in.
type cancelAfter struct {
	next   http.RoundTripper
	cancel context.CancelFunc
}

func (c cancelAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err == nil {
		// Read the body first: the context's end would cut it.
		_ = bufferBody(resp)
	}
	c.cancel()
	return resp, err
}

func TestMatchCreated(t *testing.T) {
	since := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	items := []json.RawMessage{
		json.RawMessage(`{"id":"old","name":"db","createdAt":"2026-05-01T11:00:00Z"}`),
		json.RawMessage(`{"id":"new","name":"db","createdAt":"2026-05-01T12:00:30Z"}`),
		json.RawMessage(`{"id":"skewed","name":"db","createdAt":"2026-05-01T11:59:40Z"}`),
		json.RawMessage(`{"id":"other","name":"dbx","createdAt":"2026-05-01T12:00:30Z"}`),
		json.RawMessage(`{"id":"undated","name":"db"}`),
		json.RawMessage(`{"name":"db","createdAt":"2026-05-01T12:00:30Z"}`),
	}
	got := matchCreated(CreatedQuery{Kind: KindService, Name: "db", Since: since}, items)
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if strings.Join(ids, ",") != "undated,skewed,new" {
		t.Errorf("found %v, want undated (no time: kept), skewed (within a minute), new", ids)
	}
	inv := matchCreated(CreatedQuery{Kind: KindInvitation, Name: "Ana@Example.com"},
		[]json.RawMessage{json.RawMessage(`{"id":"i1","email":"ana@example.com"}`)})
	if len(inv) != 1 || inv[0].Name != "ana@example.com" {
		t.Errorf("invitation by email: %+v", inv)
	}
}
