package cloud

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// lockedBuffer lets the slog handler and the test share a buffer safely.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestDebugLogHasNoSecrets drives calls that carry a key secret (every request's Authorization),
// a service password (service creation answer, password reset request and answer) and an API key
// creation answer through debug logging, and searches the log for every one of those strings.
func TestDebugLogHasNoSecrets(t *testing.T) {
	const (
		servicePassword = "Svc-Pa55word-7f1e"
		newPasswordHash = "c2VjcmV0LWhhc2gtb2YtcGFzc3dvcmQ="
		newDoubleSha1   = "9d2f4ad1e2c4b7a0f00dfeedbeef0123456789ab"
		createdKeyID    = "created-key-id-51c2"
		createdSecret   = "created-key-secret-8e0a"
		keySecretHash   = "created-key-secret-hash-77"
		resetPassword   = "Reset-Pa55word-2b9c"
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/services"):
			writeJSON(w, 200, `{"status":200,"requestId":"req-create","result":{"service":{"id":"svc","state":"provisioning"},"password":"`+servicePassword+`"}}`)
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/keys"):
			writeJSON(w, 200, `{"status":200,"requestId":"req-key","result":{"key":{"id":"`+createdKeyID+`","name":"ci"},"keyId":"`+createdKeyID+`","keySecret":"`+createdSecret+`"}}`)
		case strings.HasSuffix(r.URL.Path, "/password"):
			writeJSON(w, 200, `{"status":200,"requestId":"req-pw","result":{"password":"`+resetPassword+`"}}`)
		default:
			writeJSON(w, 500, `{"status":500,"requestId":"req-err","error":"INTERNAL_SERVER_ERROR: boom"}`)
		}
	}))
	defer srv.Close()
	var logs lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, srv, WithLogger(logger))
	ctx := context.Background()

	created, err := Result(c.InstanceCreateWithResponse(ctx, testOrg, cloudapi.InstanceCreateJSONRequestBody{Name: ptr("db")}))
	if err != nil || *created.Password != servicePassword {
		t.Fatalf("create: %+v %v", created, err)
	}
	key, err := Result(c.OpenapiKeyCreateWithResponse(ctx, testOrg, cloudapi.OpenapiKeyCreateJSONRequestBody{
		Name: ptr("ci"), HashData: &cloudapi.APIKeyHashData{KeyIDHash: ptr("hash-of-id"), KeySecretHash: ptr(keySecretHash)}}))
	if err != nil || *key.KeySecret != createdSecret {
		t.Fatalf("key: %+v %v", key, err)
	}
	reset, err := Result(c.InstancePasswordUpdateWithResponse(ctx, testOrg, "svc",
		cloudapi.InstancePasswordUpdateJSONRequestBody{NewPasswordHash: ptr(newPasswordHash), NewDoubleSha1Hash: ptr(newDoubleSha1)}))
	if err != nil || *reset.Password != resetPassword {
		t.Fatalf("reset: %+v %v", reset, err)
	}
	_ = Check(c.InstanceGetWithResponse(ctx, testOrg, "svc")) // a 500, retried: several records

	out := logs.String()
	basic := base64.StdEncoding.EncodeToString([]byte(testKeyID + ":" + testKeySecret))
	for _, secret := range []string{testKeySecret, basic, servicePassword, newPasswordHash, newDoubleSha1, createdKeyID, createdSecret, keySecretHash, resetPassword} {
		if strings.Contains(out, secret) {
			t.Errorf("debug log contains the secret %q", secret)
		}
	}
	// The log is there and useful: methods, statuses, attempts, request IDs, masked auth.
	for _, want := range []string{`"method":"POST"`, `"status":200`, `"status":500`, `"attempt":2`, `"request_id":"req-key"`,
		`"authorization":"Basic REDACTED"`, `"request_body":`, `"response_body":`, `"duration":`} {
		if !strings.Contains(out, want) {
			t.Errorf("debug log lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", out)
	}
}

func TestNoLoggingBelowDebug(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, serviceBody("s", "running")) }))
	defer srv.Close()
	var logs lockedBuffer
	c := newTestClient(t, srv, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	if err := Check(c.InstanceGetWithResponse(context.Background(), testOrg, "s")); err != nil {
		t.Fatal(err)
	}
	if logs.String() != "" {
		t.Errorf("logged at info level: %s", logs.String())
	}
}
