package cloud

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestNewNeedsCredentials(t *testing.T) {
	t.Setenv(EnvKeyID, "")
	t.Setenv(EnvKeySecret, "")
	_, err := New()
	if err == nil || !strings.Contains(err.Error(), "CLICKHOUSE_CLOUD_API_KEY") || !strings.Contains(err.Error(), "CLICKHOUSE_CLOUD_API_SECRET") {
		t.Errorf("err = %v, want one naming both variables", err)
	}
	if _, err := New(WithCredentials("id", "")); err == nil {
		t.Error("a key without secret was accepted")
	}
}

func TestNewReadsTheEnvironment(t *testing.T) {
	var auth, agent atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		auth.Store(user + ":" + pass)
		agent.Store(r.UserAgent())
		writeJSON(w, 200, `{"status":200,"result":[{"id":"org-42","name":"acme"}]}`)
	}))
	defer srv.Close()
	t.Setenv(EnvKeyID, "env-id")
	t.Setenv(EnvKeySecret, "env-secret")
	t.Setenv(EnvBaseURL, srv.URL)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, err := New(WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != srv.URL {
		t.Errorf("base URL %q", c.BaseURL())
	}
	if _, err := c.OrganizationID(context.Background()); err != nil {
		t.Fatal(err)
	}
	if auth.Load() != "env-id:env-secret" || agent.Load() != "chcloud/"+Version {
		t.Errorf("sent auth %v, user agent %v", auth.Load(), agent.Load())
	}
}

func TestDefaultBaseURLAndOptions(t *testing.T) {
	t.Setenv(EnvBaseURL, "")
	c, err := New(WithCredentials("k", "s"))
	if err != nil || c.BaseURL() != DefaultBaseURL {
		t.Errorf("base %q, err %v", c.BaseURL(), err)
	}
	for _, bad := range []string{"api.clickhouse.cloud", "ftp://x", "http://"} {
		if _, err := New(WithCredentials("k", "s"), WithBaseURL(bad)); err == nil {
			t.Errorf("base URL %q accepted", bad)
		}
	}
	for _, v1 := range []string{"https://api.clickhouse.cloud/v1", "https://api.clickhouse.cloud/v1/", "http://127.0.0.1:8124/gateway/v1"} {
		_, err := New(WithCredentials("k", "s"), WithBaseURL(v1))
		if err == nil || !strings.Contains(err.Error(), "ends in /v1") {
			t.Errorf("base URL %q: %v, want an error saying to drop /v1", v1, err)
		}
	}
	if _, err := New(WithCredentials("k", "s"), WithBaseURL("https://proxy.example/v1x")); err != nil {
		t.Errorf("a path that merely starts with v1 was refused: %v", err)
	}
	hc := &http.Client{}
	if _, err := New(WithCredentials("k", "s"), WithHTTPClient(hc)); err != nil || hc.Transport != nil {
		t.Errorf("the caller's http.Client was modified (err %v)", err)
	}
}

func TestOrganizationIDIsCached(t *testing.T) {
	var calls atomic.Int32
	var agent atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		agent.Store(r.UserAgent())
		writeJSON(w, 200, `{"status":200,"result":[{"id":"org-42","name":"acme"}]}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, WithUserAgent("my-tool/1.0"))
	for range 3 {
		id, err := c.OrganizationID(context.Background())
		if err != nil || id != "org-42" {
			t.Fatalf("id %q, err %v", id, err)
		}
	}
	if calls.Load() != 1 || agent.Load() != "my-tool/1.0" {
		t.Errorf("%d calls, user agent %v", calls.Load(), agent.Load())
	}
}

func TestOrganizationIDWantsExactlyOne(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"status":200,"result":[]}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	if _, err := c.OrganizationID(context.Background()); err == nil || !strings.Contains(err.Error(), "0 organizations") {
		t.Errorf("err = %v", err)
	}
}
