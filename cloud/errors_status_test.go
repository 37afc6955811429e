package cloud

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// TestEveryErrorStatusIsAnAPIError: an error answer that does not fit the generated error type
// (UDFAttach declares JSON for 400, 404, 409, 424 and 500, so the generated parser tries every
// one of them) still gives an *APIError through Check and Result, with the server's text and
// the raw body, and the generated method itself does not fail.
func TestEveryErrorStatusIsAnAPIError(t *testing.T) {
	const plain = "Service must be in idle state to awake"
	bodies := []struct {
		name, body    string
		code, message string // code "" means the status's code
		html          bool
	}{
		{name: "plain text", body: plain, message: plain},
		{name: "truncated JSON", body: `{"status":400,"requestId":"r-1","error":"BAD_REQUEST: cut he`,
			message: `{"status":400,"requestId":"r-1","error":"BAD_REQUEST: cut he`},
		{name: "error object", body: `{"status":400,"error":{"detail":"boom"}}`, message: `{"detail":"boom"}`},
		{name: "error code object", body: `{"error":{"code":"SERVICE_IDLE","message":"the service is idle"}}`,
			code: "SERVICE_IDLE", message: "the service is idle"},
		{name: "empty", body: ""},
		{name: "HTML", body: "<!DOCTYPE html><html><body>Cannot POST /v1/x</body></html>", html: true},
	}
	for _, status := range []int{400, 404, 409, 424, 500} {
		for _, tc := range bodies {
			t.Run(fmt.Sprintf("%d %s", status, tc.name), func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, status, tc.body) }))
				defer srv.Close()
				c := newTestClient(t, srv, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
				resp, err := c.UDFAttachWithResponse(context.Background(), testOrg, "fn", "svc", cloudapi.UDFAttachJSONRequestBody{})
				if err != nil {
					t.Fatalf("the generated method failed: %v", err)
				}
				if got := OriginalContentType(resp.HTTPResponse); got != "application/json" {
					t.Errorf("OriginalContentType = %q, want application/json", got)
				}
				for name, checkErr := range map[string]error{"Check": Check(resp, err), "Result": resultErr(resp, err)} {
					var e *APIError
					if !errors.As(checkErr, &e) {
						t.Fatalf("%s: %v (%T), want *APIError", name, checkErr, checkErr)
					}
					code, message := tc.code, tc.message
					switch {
					case tc.html && status == 404:
						code, message = CodeRouteNotFound, htmlMessage(404)
					case tc.html:
						message = htmlMessage(status)
					}
					if code == "" {
						code = codeForStatus(status)
					}
					if e.StatusCode != status || e.Code != code || e.Message != message {
						t.Errorf("%s: status %d code %q message %q, want %d %q %q", name, e.StatusCode, e.Code, e.Message, status, code, message)
					}
					if !bytes.Equal(e.Body, []byte(tc.body)) {
						t.Errorf("%s: body %q, want the raw %q", name, e.Body, tc.body)
					}
					want := map[string]bool{
						"IsNotFound":      status == 404 && !tc.html,
						"IsRouteNotFound": status == 404 && tc.html,
						"IsConflict":      status == 409,
					}
					got := map[string]bool{"IsNotFound": IsNotFound(checkErr), "IsRouteNotFound": IsRouteNotFound(checkErr), "IsConflict": IsConflict(checkErr)}
					for helper, w := range want {
						if got[helper] != w {
							t.Errorf("%s: %s = %v, want %v", name, helper, got[helper], w)
						}
					}
					if strings.Contains(checkErr.Error(), "decoding") {
						t.Errorf("%s: %v", name, checkErr)
					}
				}
			})
		}
	}
}

func resultErr(resp *cloudapi.UDFAttachResponse, err error) error {
	_, err = Result(resp, err)
	return err
}

// TestWellFormedErrorsStayTyped: an error answer that fits the document is left as it is, so
// the generated JSON4xx field is filled as before.
func TestWellFormedErrorsStayTyped(t *testing.T) {
	body := `{"status":400,"requestId":"r-2","error":"BAD_REQUEST: Invalid service id"}`
	c := serve(t, 400, body)
	resp, err := c.InstanceStateUpdateWithResponse(context.Background(), testOrg, "s", cloudapi.InstanceStateUpdateJSONRequestBody{})
	if err != nil || resp.JSON400 == nil || OriginalContentType(resp.HTTPResponse) != "" {
		t.Fatalf("resp %+v, err %v", resp, err)
	}
	var e *APIError
	if err := Check(resp, err); !errors.As(err, &e) || e.Code != "BAD_REQUEST" || e.Message != "Invalid service id" || e.RequestID != "r-2" {
		t.Errorf("err = %v", err)
	}
}

// TestStopOnAnAwakeRefusal is the answer that made `chcloud service stop` print "decoding the
// InstanceStateUpdate answer: invalid character 'S'".
func TestStopOnAnAwakeRefusal(t *testing.T) {
	c := serve(t, 400, "Service must be in idle state to awake")
	_, err := Result(c.InstanceStateUpdateWithResponse(context.Background(), testOrg, "s",
		cloudapi.InstanceStateUpdateJSONRequestBody{Command: ptr(cloudapi.ServiceStatePatchRequestCommandAwake)}))
	if got, want := fmt.Sprint(err), "BAD_REQUEST: Service must be in idle state to awake (status 400)"; got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
}
