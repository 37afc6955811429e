package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// scriptedService answers GET .../services/{id} with a state that depends on the fake clock:
// each step holds from its offset on. It counts the polls it answers.
type scriptedService struct {
	clock *fakeClock
	start time.Time
	steps []step

	mu    sync.Mutex
	polls int
}

type step struct {
	at    time.Duration
	state string // "" answers 500 (the real API does that while provisioning); "404" answers not found
}

func (s *scriptedService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.polls++
	s.mu.Unlock()
	elapsed := s.clock.Now().Sub(s.start)
	state := s.steps[0].state
	for _, st := range s.steps {
		if elapsed >= st.at {
			state = st.state
		}
	}
	switch state {
	case "":
		writeJSON(w, 500, `{"status":500,"error":"INTERNAL_SERVER_ERROR: Internal error"}`)
	case "404":
		writeJSON(w, 404, `{"status":404,"error":"NOT_FOUND: Service not found"}`)
	default:
		if strings.Contains(r.URL.Path, "/clickpipes/") {
			writeJSON(w, 200, `{"status":200,"result":{"id":"p","state":"`+state+`"}}`)
			return
		}
		writeJSON(w, 200, serviceBody("svc", state))
	}
}

func newScripted(t testing.TB, steps ...step) (*Client, *scriptedService, *fakeClock) {
	clk := newFakeClock()
	s := &scriptedService{clock: clk, start: clk.Now(), steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	// Polls spend the default budget of 10 requests per 10 s, on the same fake clock.
	return newTestClient(t, srv, withClock(clk), WithRateLimit(10, 10*time.Second)), s, clk
}

// TestWaiterEconomy is the waiter's target when the server announces no budget (no
// X-RateLimit-* headers, so nothing says it is free): a service that becomes running after T is
// noticed within max(2 s, 20% of T), and a 30-minute wait uses at most 40 polls. With the budget
// announced, see TestWaiterSpendsFreeBudget.
func TestWaiterEconomy(t *testing.T) {
	for _, T := range []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, 90 * time.Minute} {
		polls, delay := waiterRun(t, T)
		bound := max(2*time.Second, T/5)
		t.Logf("T=%-6s polls=%-3d detected after %-7s (bound %s)", T, polls, delay, bound)
		if delay < 0 || delay > bound {
			t.Errorf("T=%s: detected %s after the change, bound %s", T, delay, bound)
		}
		if T == 30*time.Minute && polls > 40 {
			t.Errorf("T=30m: %d polls, want at most 40", polls)
		}
	}
}

func waiterRun(t testing.TB, T time.Duration) (polls int, delay time.Duration) {
	c, s, clk := newScripted(t, step{0, "provisioning"}, step{T, "running"})
	svc, err := c.WaitForServiceState(context.Background(), testOrg, "svc", []cloudapi.ServiceState{cloudapi.ServiceStateRunning})
	if err != nil {
		t.Fatalf("T=%s: %v", T, err)
	}
	if svc == nil || *svc.State != cloudapi.ServiceStateRunning {
		t.Fatalf("T=%s: returned %+v", T, svc)
	}
	return s.polls, clk.Now().Sub(s.start) - T
}

func TestWaitFailureStatesEndTheWait(t *testing.T) {
	for _, bad := range []string{"failed", "degraded"} {
		c, _, _ := newScripted(t, step{0, "provisioning"}, step{time.Minute, bad})
		svc, err := c.WaitForServiceState(context.Background(), testOrg, "svc", []cloudapi.ServiceState{cloudapi.ServiceStateRunning})
		var se *StateError
		if !errors.As(err, &se) || se.State != bad || se.ID != "svc" || !strings.Contains(err.Error(), "running") {
			t.Errorf("%s: err = %v, want *StateError", bad, err)
		}
		if svc == nil || string(*svc.State) != bad {
			t.Errorf("%s: last service = %+v", bad, svc)
		}
	}
	// Waiting for the failure state itself is allowed.
	c, _, _ := newScripted(t, step{0, "provisioning"}, step{time.Minute, "failed"})
	if _, err := c.WaitForServiceState(context.Background(), testOrg, "svc", []cloudapi.ServiceState{cloudapi.ServiceStateFailed}); err != nil {
		t.Errorf("waiting for failed: %v", err)
	}
}

func TestWaitSurvivesTransientErrorsAndReportsProgress(t *testing.T) {
	// 500 while provisioning, as the real API does, then running.
	c, _, _ := newScripted(t, step{0, "provisioning"}, step{10 * time.Second, ""}, step{20 * time.Second, "running"})
	var seen []string
	_, err := c.WaitForServiceState(context.Background(), testOrg, "svc", []cloudapi.ServiceState{cloudapi.ServiceStateRunning},
		WithProgress(func(state string, elapsed time.Duration) { seen = append(seen, fmt.Sprintf("%s@%s", state, elapsed)) }))
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(seen, " ")
	if !strings.HasPrefix(joined, "provisioning@0s") || !strings.Contains(joined, " @") || !strings.Contains(joined, "running@") {
		t.Errorf("progress = %s", joined)
	}
}

func TestWaitGivesUpOnPersistentErrors(t *testing.T) {
	c, s, _ := newScripted(t, step{0, ""})
	_, err := c.WaitForServiceState(context.Background(), testOrg, "svc", []cloudapi.ServiceState{cloudapi.ServiceStateRunning})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
		t.Fatalf("err = %v", err)
	}
	// maxPollFailures polls, each retried by the transport (5 attempts).
	if s.polls != maxPollFailures*5 {
		t.Errorf("%d requests, want %d", s.polls, maxPollFailures*5)
	}
}

func TestWaitEndsWhenTheServiceDisappears(t *testing.T) {
	c, _, _ := newScripted(t, step{0, "provisioning"}, step{time.Minute, "404"})
	_, err := c.WaitForServiceState(context.Background(), testOrg, "svc", []cloudapi.ServiceState{cloudapi.ServiceStateRunning})
	var se *StateError
	if !errors.As(err, &se) || se.State != "deleted" {
		t.Errorf("err = %v", err)
	}
}

func TestWaitHonoursTheContextDeadline(t *testing.T) {
	clk := newFakeClock()
	s := &scriptedService{clock: clk, start: clk.Now(), steps: []step{{0, "provisioning"}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv, withClock(clk))
	ctx, cancel := context.WithCancel(context.Background())
	polls := 0
	_, err := c.WaitForServiceState(ctx, testOrg, "svc", []cloudapi.ServiceState{cloudapi.ServiceStateRunning},
		WithProgress(func(string, time.Duration) {
			if polls++; polls == 3 {
				cancel()
			}
		}))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "provisioning") {
		t.Errorf("err = %v", err)
	}
	if polls != 3 {
		t.Errorf("%d polls after cancel at the third", polls)
	}
}

func TestPollInterval(t *testing.T) {
	cfg := newWaitConfig(nil)
	for _, tc := range []struct{ elapsed, want time.Duration }{
		{0, 2 * time.Second}, {10 * time.Second, 2 * time.Second}, {60 * time.Second, 12 * time.Second},
		{30 * time.Minute, 5 * time.Minute},
	} {
		if got := cfg.pollInterval(tc.elapsed); got != tc.want {
			t.Errorf("after %s: %s, want %s", tc.elapsed, got, tc.want)
		}
	}
	fixed := newWaitConfig([]WaitOption{WithPollInterval(5*time.Second, 5*time.Second)})
	if fixed.pollInterval(time.Hour) != 5*time.Second {
		t.Error("WithPollInterval(d, d) is not fixed")
	}
}

func TestWaitForClickPipeState(t *testing.T) {
	c, _, _ := newScripted(t, step{0, "Provisioning"}, step{30 * time.Second, "Snapshot"}, step{2 * time.Minute, "Running"})
	pipe, err := c.WaitForClickPipeState(context.Background(), testOrg, "svc", "p", []cloudapi.ClickPipeState{cloudapi.ClickPipeStateRunning})
	if err != nil || pipe == nil || *pipe.State != cloudapi.ClickPipeStateRunning {
		t.Fatalf("pipe %+v, err %v", pipe, err)
	}
	c, _, _ = newScripted(t, step{0, "Provisioning"}, step{30 * time.Second, "Failed"})
	_, err = c.WaitForClickPipeState(context.Background(), testOrg, "svc", "p", []cloudapi.ClickPipeState{cloudapi.ClickPipeStateRunning})
	var se *StateError
	if !errors.As(err, &se) || se.State != "Failed" || se.Resource != "ClickPipe" {
		t.Errorf("err = %v", err)
	}
}

func TestWaitForPostgresState(t *testing.T) {
	clk := newFakeClock()
	start := clk.Now()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state := "creating"
		if clk.Now().Sub(start) >= 3*time.Minute {
			state = "running"
		}
		writeJSON(w, 200, `{"status":200,"result":{"id":"pg","state":"`+state+`"}}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, withClock(clk))
	pg, err := c.WaitForPostgresState(context.Background(), testOrg, "pg", []cloudapi.PgStateProperty{cloudapi.PgStatePropertyRunning})
	if err != nil || pg == nil || *pg.State != cloudapi.PgStatePropertyRunning {
		t.Fatalf("pg %+v, err %v", pg, err)
	}
	if waited := clk.Now().Sub(start); waited < 3*time.Minute || waited > 3*time.Minute+36*time.Second {
		t.Errorf("noticed after %s", waited)
	}
}
