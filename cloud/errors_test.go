package cloud

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

func TestParseAPIError(t *testing.T) {
	cases := []struct {
		name                     string
		status                   int
		contentType, body        string
		code, message, requestID string
		extra                    []string
	}{
		{name: "envelope", status: 409, body: `{"status":409,"requestId":"r-9","error":"CONFLICT: Service is not stopped"}`,
			code: "CONFLICT", message: "Service is not stopped", requestID: "r-9"},
		{name: "bare code", status: 429, body: `{"error":"TOO_MANY_REQUESTS"}`, code: "TOO_MANY_REQUESTS"},
		{name: "no request id", status: 401, body: `{"error":"UNAUTHORIZED: Key is not found","status":401}`,
			code: "UNAUTHORIZED", message: "Key is not found"},
		{name: "message with colons", status: 400, body: `{"error":"BAD_REQUEST: body.x: must be > 3 <number:0>"}`,
			code: "BAD_REQUEST", message: "body.x: must be > 3 <number:0>"},
		{name: "plain text error", status: 400, body: `{"error":"something broke: badly"}`,
			code: "BAD_REQUEST", message: "something broke: badly"},
		{name: "udf extras", status: 424, body: `{"status":424,"requestId":"r","error":"FAILED_DEPENDENCY: idle","code":"SERVICE_NOT_RUNNING","serviceState":"idle","canWake":true}`,
			code: "FAILED_DEPENDENCY", message: "idle", requestID: "r", extra: []string{"code", "serviceState", "canWake"}},
		{name: "error object", status: 422, body: `{"error":{"code":"invalid","message":"nope"}}`, code: "INVALID", message: "nope"},
		{name: "empty", status: 503, body: "", code: "SERVICE_UNAVAILABLE"},
		{name: "text", status: 502, contentType: "text/plain", body: "upstream connect error", code: "BAD_GATEWAY", message: "upstream connect error"},
		{name: "html 404", status: 404, contentType: "text/html", body: "<html><body>Not Found</body></html>", code: CodeRouteNotFound},
		{name: "html 404 without content type", status: 404, body: "<!DOCTYPE html><html></html>", code: CodeRouteNotFound},
		{name: "html 502", status: 502, contentType: "text/html", body: "<html>bad</html>", code: "BAD_GATEWAY"},
		{name: "broken json", status: 500, body: `{"error":`, code: "INTERNAL_SERVER_ERROR", message: `{"error":`},
		{name: "odd status", status: 418, body: "", code: "IM_A_TEAPOT"},
		{name: "unknown status", status: 499, body: "", code: "HTTP_499"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.contentType != "" {
				h.Set("Content-Type", tc.contentType)
			}
			e := ParseAPIError(tc.status, h, []byte(tc.body))
			if e.StatusCode != tc.status || e.Code != tc.code || e.RequestID != tc.requestID || string(e.Body) != tc.body {
				t.Errorf("got %+v", e)
			}
			if tc.message != "" && e.Message != tc.message {
				t.Errorf("message = %q, want %q", e.Message, tc.message)
			}
			for _, k := range tc.extra {
				if _, ok := e.Extra[k]; !ok {
					t.Errorf("extra field %q missing: %v", k, e.Extra)
				}
			}
			if !strings.HasPrefix(e.Error(), tc.code) || !strings.Contains(e.Error(), fmt.Sprintf("status %d", tc.status)) {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}
}

func TestAPIErrorString(t *testing.T) {
	e := ParseAPIError(409, nil, []byte(`{"status":409,"requestId":"abc","error":"CONFLICT: busy"}`))
	if got, want := e.Error(), "CONFLICT: busy (status 409, request id abc)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = ParseAPIError(429, nil, []byte(`{"error":"TOO_MANY_REQUESTS"}`))
	if got, want := e.Error(), "TOO_MANY_REQUESTS (status 429)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestPredicatesWorkThroughWrapping(t *testing.T) {
	wrap := func(status int, body string) error {
		return fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", ParseAPIError(status, nil, []byte(body))))
	}
	checks := []struct {
		name string
		is   func(error) bool
		yes  error
	}{
		{"IsNotFound", IsNotFound, wrap(404, `{"error":"NOT_FOUND: no service"}`)},
		{"IsRouteNotFound", IsRouteNotFound, wrap(404, "<html></html>")},
		{"IsConflict", IsConflict, wrap(409, "")},
		{"IsRateLimited", IsRateLimited, wrap(429, `{"error":"TOO_MANY_REQUESTS"}`)},
		{"IsUnauthorized", IsUnauthorized, wrap(401, "")},
		{"IsForbidden", IsForbidden, wrap(403, "")},
	}
	for i, c := range checks {
		if !c.is(c.yes) {
			t.Errorf("%s(%v) = false", c.name, c.yes)
		}
		for j, other := range checks {
			if i != j && c.is(other.yes) {
				t.Errorf("%s(%v) = true", c.name, other.yes)
			}
		}
		if c.is(errors.New("plain")) || c.is(nil) {
			t.Errorf("%s true for a non-API error", c.name)
		}
	}
}

// TestRealErrorResponses serves the error bodies the live API really returned and checks the
// *APIError each becomes through Result.
func TestRealErrorResponses(t *testing.T) {
	cases := map[string]struct {
		status                   int
		code, message, requestID string
		is                       func(error) bool
	}{
		"create-clickpipe-424-service-idle.json": {424, "FAILED_DEPENDENCY",
			"ClickPipe creation is allowed only when the ClickHouse service is running. Current state: idle", "63be9e68-c335-4c54-a212-83aad13528be", nil},
		"create-service-401-key-not-found.json":      {401, "UNAUTHORIZED", "Key is not found", "", IsUnauthorized},
		"delete-service-429-too-many-requests.json":  {429, "TOO_MANY_REQUESTS", "", "", IsRateLimited},
		"list-organizations-401-no-auth-header.json": {401, "UNAUTHORIZED", "No Authorization header provided.", "...", IsUnauthorized},
		"patch-scaling-400-numreplicas.json": {400, "BAD_REQUEST", "request body.numReplicas: Number of replicas must be greater than 3 <number:0>",
			"2b03ac68-e70b-4eb7-a0c5-4e6c54476de8", nil},
	}
	for file, tc := range cases {
		t.Run(file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("..", "testdata", "real-responses", file))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			c := newTestClient(t, srv, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
			err = Check(c.InstanceReplicaScalingUpdateWithResponse(context.Background(), testOrg, "svc", cloudapi.InstanceReplicaScalingUpdateJSONRequestBody{}))
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.StatusCode != tc.status || apiErr.Code != tc.code || apiErr.Message != tc.message || apiErr.RequestID != tc.requestID {
				t.Errorf("got %+v", apiErr)
			}
			if !bytes.Equal(apiErr.Body, body) || apiErr.Method != http.MethodPatch || !strings.HasSuffix(apiErr.URL, "/services/svc/replicaScaling") {
				t.Errorf("body/method/url not kept: %s %s", apiErr.Method, apiErr.URL)
			}
			if tc.is != nil && !tc.is(err) {
				t.Errorf("predicate false for %v", err)
			}
		})
	}
}

// FuzzParseAPIError: whatever the body and status, parsing never panics and always yields an
// *APIError that keeps the body and the status.
func FuzzParseAPIError(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "real-responses", "*.json"))
	for _, file := range files {
		body, _ := os.ReadFile(file)
		f.Add(400, "application/json", body)
	}
	f.Add(404, "text/html", []byte("<html>"))
	f.Add(500, "", []byte(`{"error":{"code":1}}`))
	f.Add(429, "", []byte(`{"error":null,"requestId":7,"message":"x"}`))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		h := http.Header{"Content-Type": {contentType}, "Retry-After": {string(body[:min(len(body), 8)])}}
		e := ParseAPIError(status, h, body)
		if e == nil {
			t.Fatal("nil *APIError")
		}
		if e.StatusCode != status || !bytes.Equal(e.Body, body) || e.Code == "" || e.Error() == "" {
			t.Fatalf("bad error %+v", e)
		}
		if e.RetryAfter < 0 {
			t.Fatalf("negative RetryAfter %v", e.RetryAfter)
		}
	})
}

// RetryAfter is a request to wait: Retry-After on any answer, the window's reset only on a 429.
// The real API announces its window on every answer; on a 401 that must not read as "retry".
func TestAPIErrorRetryAfterOnlyWhenAsked(t *testing.T) {
	window := http.Header{"X-Ratelimit-Reset": {"10"}, "X-Ratelimit-Remaining": {"9"}}
	for _, c := range []struct {
		status int
		header http.Header
		want   time.Duration
	}{
		{401, window, 0},
		{429, window, 10 * time.Second},
		{503, http.Header{"Retry-After": {"5"}}, 5 * time.Second},
	} {
		if got := ParseAPIError(c.status, c.header, nil).RetryAfter; got != c.want {
			t.Errorf("status %d with %v: RetryAfter %v, want %v", c.status, c.header, got, c.want)
		}
	}
}
