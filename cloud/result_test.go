package cloud

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

func serve(t *testing.T, status int, body string) *Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, status, body) }))
	t.Cleanup(srv.Close)
	return newTestClient(t, srv, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
}

// TestResultShapes: T is the result type the document declares, inferred from the response
// type; asking for another (Result[[]cloudapi.Service] on InstanceGet) does not compile.
func TestResultShapes(t *testing.T) {
	ctx := context.Background()
	c := serve(t, 200, serviceBody("s", "running"))
	svc, err := Result(c.InstanceGetWithResponse(ctx, testOrg, "s"))
	var _ *cloudapi.Service = svc
	if err != nil || *svc.ID != "s" {
		t.Errorf("result: %+v %v", svc, err)
	}
}

func TestResultWithoutResult(t *testing.T) {
	c := serve(t, 200, `{"status":200,"requestId":"r"}`)
	if _, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "s")); err == nil || !strings.Contains(err.Error(), "no result") {
		t.Errorf("err = %v", err)
	}
	if err := Check(c.InstanceDeleteWithResponse(context.Background(), testOrg, "s")); err != nil {
		t.Errorf("DELETE without result: %v", err)
	}
}

func TestResultDecodeError(t *testing.T) {
	c := serve(t, 200, `{"status":200,"result":{"id":"s","createdAt":"2025-`)
	_, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "s"))
	var de *DecodeError
	if !errors.As(err, &de) || de.Operation != "InstanceGet" {
		t.Errorf("err = %v (%T), want *DecodeError for InstanceGet", err, err)
	}
}

func TestResultUndeclaredSuccessStatus(t *testing.T) {
	// 202 is declared nowhere: the result is decoded from the body.
	c := serve(t, 202, serviceBody("s", "starting"))
	svc, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "s"))
	if err != nil || *svc.State != "starting" {
		t.Errorf("%+v %v", svc, err)
	}
}

func TestResultPassesTransportErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	c := newTestClient(t, srv, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	srv.Close()
	_, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "s"))
	var apiErr *APIError
	if err == nil || errors.As(err, &apiErr) {
		t.Errorf("err = %v, want the connection error", err)
	}
	if err := Check(nil, nil); err == nil {
		t.Error("Check(nil, nil) succeeded")
	}
}
