package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// lifecycleServer behaves like the real API around deletion: stop takes 40 s, DELETE answers
// 409 until 30 s after the service reports stopped, and a deleted service reads "terminating"
// for 20 s before it is gone (404).
type lifecycleServer struct {
	clock *fakeClock

	mu        sync.Mutex
	state     string
	stopAt    time.Time
	deletedAt time.Time
	calls     []string
}

func (s *lifecycleServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if s.state == "stopping" && !now.Before(s.stopAt.Add(40*time.Second)) {
		s.state = "stopped"
	}
	call := r.Method
	switch {
	case r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/state"):
		var body struct{ Command string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		call += " " + body.Command
		if body.Command == "stop" && s.state == "running" {
			s.state, s.stopAt = "stopping", now
		}
		writeJSON(w, 200, serviceBody("svc", s.state))
	case r.Method == http.MethodDelete:
		if s.state != "stopped" || now.Before(s.stopAt.Add(70*time.Second)) {
			call += " 409"
			writeJSON(w, 409, `{"status":409,"requestId":"r","error":"CONFLICT: Service is not stopped"}`)
			break
		}
		s.state, s.deletedAt = "terminating", now
		writeJSON(w, 200, `{"status":200,"requestId":"r"}`)
	case s.state == "gone" || (s.state == "terminating" && !now.Before(s.deletedAt.Add(20*time.Second))):
		s.state = "gone"
		call += " 404"
		writeJSON(w, 404, `{"status":404,"requestId":"r","error":"NOT_FOUND: Service not found"}`)
	default:
		call += " " + s.state
		writeJSON(w, 200, serviceBody("svc", s.state))
	}
	s.calls = append(s.calls, call)
}

func TestDeleteServiceStopsWaitsRetriesConflictAndWaitsForGone(t *testing.T) {
	clk := newFakeClock()
	s := &lifecycleServer{clock: clk, state: "running"}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv, withClock(clk), WithRateLimit(10, 10*time.Second))
	if err := c.DeleteService(context.Background(), testOrg, "svc"); err != nil {
		t.Fatalf("DeleteService: %v (calls %v)", err, s.calls)
	}
	calls := strings.Join(s.calls, ", ")
	if !strings.HasPrefix(calls, "GET running, PATCH stop, GET stopping") {
		t.Errorf("did not stop first: %s", calls)
	}
	firstDelete := strings.Index(calls, "DELETE")
	if firstDelete < strings.Index(calls, "GET stopped") {
		t.Errorf("DELETE sent before the service was stopped: %s", calls)
	}
	if !strings.Contains(calls, "DELETE 409") || !strings.HasSuffix(calls, "GET 404") {
		t.Errorf("want DELETE retried through 409 and a final 404: %s", calls)
	}
	// DELETE is repeated with the waiters' spacing: 13 polls cover 30 s (see TestWaiterEconomy).
	if n := strings.Count(calls, "DELETE 409"); n > 13 {
		t.Errorf("%d DELETE attempts: too many for a 30 s conflict window", n)
	}
}

func TestDeleteServiceThatDoesNotExist(t *testing.T) {
	clk := newFakeClock()
	s := &lifecycleServer{clock: clk, state: "gone"}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv, withClock(clk))
	if err := c.DeleteService(context.Background(), testOrg, "svc"); err != nil {
		t.Fatal(err)
	}
	if len(s.calls) != 1 {
		t.Errorf("calls %v, want one GET", s.calls)
	}
}

func TestDeleteServiceAlreadyStopped(t *testing.T) {
	clk := newFakeClock()
	s := &lifecycleServer{clock: clk, state: "stopped", stopAt: clk.Now().Add(-time.Hour)}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv, withClock(clk))
	if err := c.DeleteService(context.Background(), testOrg, "svc"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(s.calls, ","), "PATCH") || s.calls[1] != "DELETE" {
		t.Errorf("calls %v: want GET then DELETE, no stop", s.calls)
	}
}

func TestStateCommands(t *testing.T) {
	var mu sync.Mutex
	var commands []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Command string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		commands = append(commands, r.Method+" "+r.URL.Path+" "+body.Command)
		mu.Unlock()
		writeJSON(w, 200, serviceBody("svc", map[string]string{"start": "starting", "stop": "stopping", "awake": "awaking"}[body.Command]))
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	ctx := context.Background()
	for _, tc := range []struct {
		call func(context.Context, string, string) (*cloudapi.Service, error)
		want cloudapi.ServiceState
	}{{c.StartService, "starting"}, {c.StopService, "stopping"}, {c.WakeService, "awaking"}} {
		svc, err := tc.call(ctx, testOrg, "svc")
		if err != nil || *svc.State != tc.want {
			t.Errorf("got %+v, %v; want state %s", svc, err, tc.want)
		}
	}
	want := "PATCH /v1/organizations/org-1/services/svc/state start|PATCH /v1/organizations/org-1/services/svc/state stop|PATCH /v1/organizations/org-1/services/svc/state awake"
	if got := strings.Join(commands, "|"); got != want {
		t.Errorf("sent %s", got)
	}
}

// The API accepts "awake" on a stopped service and "start" on an idle one and answers with the
// unchanged state; the helpers say so (ErrCommandIgnored) instead of letting a waiter hang.
func TestStateCommandsThatDoNothing(t *testing.T) {
	state := "stopped"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, serviceBody("svc", state))
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	ctx := context.Background()
	svc, err := c.WakeService(ctx, testOrg, "svc")
	if !errors.Is(err, ErrCommandIgnored) || svc == nil || *svc.State != "stopped" {
		t.Errorf("awake on a stopped service: %+v, %v; want the service and ErrCommandIgnored", svc, err)
	}
	if _, err := c.StartService(ctx, testOrg, "svc"); err != nil {
		t.Errorf("start on a stopped service: %v", err)
	}
	state = "idle"
	if _, err := c.StartService(ctx, testOrg, "svc"); !errors.Is(err, ErrCommandIgnored) {
		t.Errorf("start on an idle service: %v, want ErrCommandIgnored", err)
	}
	if _, err := c.WakeService(ctx, testOrg, "svc"); err != nil {
		t.Errorf("awake on an idle service: %v", err)
	}
}
