package cloud

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

const quirkOrg, quirkService = "9a0e6a3c-3f1e-4b7a-9c55-2b6f2d7f1e01", "54f06172-e2f0-4b2e-9c69-8610a5e59be4"

// The real API answers some DELETEs with an empty body labelled JSON: a success with nothing to
// decode, never a decode error.
func TestEmptySuccessBodyIsASuccess(t *testing.T) {
	for _, body := range []string{"", " \n"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		c := newTestClient(t, srv)
		if err := Check(c.ClickPipeDeleteWithResponse(context.Background(), quirkOrg, quirkService, quirkService)); err != nil {
			t.Errorf("body %q: %v", body, err)
		}
		srv.Close()
	}
}

// "awake" on a service that is not idle is refused by the real API with a plain-text 400; the
// SDK says what it says for an accepted command that does nothing: ErrCommandIgnored, with the
// service's state.
func TestWakeRefusedByPlainText400IsIgnoredCommand(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPatch {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("Service must be in idle state to awake"))
			return
		}
		_, _ = w.Write([]byte(`{"status":200,"requestId":"5b3c2f9e-1d2a-4c3b-8e7f-0a1b2c3d4e5f","result":{"id":"` + quirkService + `","state":"stopped"}}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	svc, err := c.WakeService(context.Background(), quirkOrg, quirkService)
	if !errors.Is(err, ErrCommandIgnored) {
		t.Fatalf("err = %v, want ErrCommandIgnored", err)
	}
	if svc == nil || deref(svc.State) != cloudapi.ServiceStateStopped {
		t.Fatalf("service %+v, want its state (stopped)", svc)
	}
}

// PATCH .../state has been answered with a bare {}: the command was accepted, and the SDK reads
// the service to say what state it is in.
func TestStateAnswerWithoutResult(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPatch {
			_, _ = w.Write([]byte(`{}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":200,"requestId":"5b3c2f9e-1d2a-4c3b-8e7f-0a1b2c3d4e5f","result":{"id":"` + quirkService + `","state":"running"}}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	svc, err := c.StartService(context.Background(), quirkOrg, quirkService)
	if err != nil || svc == nil || deref(svc.State) != cloudapi.ServiceStateRunning {
		t.Fatalf("StartService = %+v, %v", svc, err)
	}
	if _, err := Result(c.InstanceStateUpdateWithResponse(context.Background(), quirkOrg, quirkService,
		cloudapi.InstanceStateUpdateJSONRequestBody{})); !errors.Is(err, ErrNoResult) {
		t.Fatalf("Result on {} = %v, want ErrNoResult", err)
	}
}
