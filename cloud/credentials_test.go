package cloud

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// http:// is refused for any host that is not this machine unless the caller opts in; https://
// and loopback are always accepted.
func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	creds := WithCredentials(testKeyID, testKeySecret)
	for _, u := range []string{
		"https://api.clickhouse.cloud", "https://10.0.0.5:8443",
		"http://127.0.0.1:8124", "http://127.9.8.7", "http://[::1]:8124", "http://localhost:8124",
		"http://LOCALHOST.", "http://fake.localhost:8124", "http://sdk.invalid",
	} {
		if _, err := New(creds, WithBaseURL(u)); err != nil {
			t.Errorf("New(%s) = %v, want accepted", u, err)
		}
	}
	for _, u := range []string{
		"http://api.clickhouse.cloud", "http://10.0.0.5:8124", "http://[2001:db8::1]", "http://localhost.example.com",
		"http://u:pa55word@db.example",
	} {
		_, err := New(creds, WithBaseURL(u))
		if !errors.Is(err, ErrInsecureHTTP) {
			t.Errorf("New(%s) = %v, want ErrInsecureHTTP", u, err)
			continue
		}
		if strings.Contains(err.Error(), "pa55word") {
			t.Errorf("the error shows the URL's password: %v", err)
		}
		if _, err := New(creds, WithBaseURL(u), WithInsecureHTTP()); err != nil {
			t.Errorf("New(%s, WithInsecureHTTP) = %v", u, err)
		}
	}
}

// A base URL's user info is never sent, kept or shown: the Authorization header comes from the
// credentials alone, and neither the client, its log nor its errors repeat the password.
func TestBaseURLUserInfo(t *testing.T) {
	var mu sync.Mutex
	var auths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		writeJSON(w, 404, `{"status":404,"error":"NOT_FOUND: no such service"}`)
	}))
	defer srv.Close()
	withUser := strings.Replace(srv.URL, "http://", "http://someone:pa55word@", 1)
	var log bytes.Buffer
	c := newTestClient(t, srv, WithBaseURL(withUser),
		WithLogger(slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if c.BaseURL() != srv.URL {
		t.Errorf("BaseURL() = %q, want %q", c.BaseURL(), srv.URL)
	}
	_, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "svc-1"))
	if err == nil {
		t.Fatal("want the 404")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(auths) != 1 || !strings.HasPrefix(auths[0], "Basic ") || strings.Contains(basicUser(t, auths[0]), "someone") {
		t.Errorf("Authorization sent = %q, want the credentials'", auths)
	}
	for what, text := range map[string]string{"error": err.Error(), "log": log.String()} {
		if strings.Contains(text, "pa55word") || strings.Contains(text, "someone") || strings.Contains(text, testKeySecret) {
			t.Errorf("the %s shows the user info or secret: %s", what, text)
		}
	}

	// A URL too broken to use is quoted in the error without its password.
	_, err = New(WithCredentials(testKeyID, testKeySecret), WithBaseURL("ftp://someone:pa55word@host"))
	if err == nil || strings.Contains(err.Error(), "pa55word") {
		t.Errorf("New(ftp URL with password) = %v", err)
	}
}

func basicUser(t *testing.T, header string) string {
	t.Helper()
	r := &http.Request{Header: http.Header{"Authorization": {header}}}
	user, _, ok := r.BasicAuth()
	if !ok {
		t.Fatalf("not basic auth: %q", header)
	}
	return user
}

// A redirect to another origin never carries the key: not to another server on the same host
// name (which net/http alone would send it to), nor to another name; a redirect within the same
// server keeps it.
func TestRedirectKeepsCredentialsToTheirOrigin(t *testing.T) {
	type seen struct{ path, auth string }
	var mu sync.Mutex
	var got []seen
	record := func(r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.URL.Path, r.Header.Get("Authorization")})
		mu.Unlock()
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		writeJSON(w, 200, serviceBody("svc-1", "running"))
	}))
	defer other.Close()
	otherByName := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		switch r.URL.Query().Get("to") {
		case "other-port":
			http.Redirect(w, r, other.URL+"/elsewhere", http.StatusFound)
		case "other-name":
			http.Redirect(w, r, otherByName+"/elsewhere", http.StatusTemporaryRedirect)
		case "same":
			http.Redirect(w, r, "/v1/organizations/"+testOrg+"/services/svc-1", http.StatusFound)
		default:
			writeJSON(w, 200, serviceBody("svc-1", "running"))
		}
	}))
	defer api.Close()

	// What net/http does by itself (Go 1.8 on): it drops Authorization only when the host
	// name changes, so a server on another port of the same host would get the key.
	func() {
		req, _ := http.NewRequest(http.MethodGet, api.URL+"/?to=other-port", nil)
		req.SetBasicAuth(testKeyID, testKeySecret)
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		mu.Lock()
		defer mu.Unlock()
		last := got[len(got)-1]
		t.Logf("net/http alone, redirected to another port of the same host, sends Authorization: %v", last.auth != "")
		got = nil
	}()

	c := newTestClient(t, api)
	for _, to := range []string{"other-port", "other-name", "same"} {
		t.Run(to, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			req, err := http.NewRequest(http.MethodGet, api.URL+"/v1/start?to="+to, nil)
			if err != nil {
				t.Fatal(err)
			}
			// As the generated client does: the credentials are set on the first request.
			req.SetBasicAuth(testKeyID, testKeySecret)
			resp, err := c.HTTPClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 2 || got[0].auth == "" {
				t.Fatalf("requests = %+v", got)
			}
			if to == "same" {
				if got[1].auth != got[0].auth {
					t.Errorf("a redirect within the API server lost the credentials: %+v", got)
				}
				return
			}
			if got[1].auth != "" {
				t.Errorf("the redirect to %s carried Authorization %q", to, got[1].auth)
			}
		})
	}

	// Through the generated client, too: the redirect is followed and the key stays home.
	mu.Lock()
	got = nil
	mu.Unlock()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirecting.Close()
	c = newTestClient(t, redirecting)
	if _, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "svc-1")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0].auth == "" || got[1].auth != "" {
		t.Errorf("requests = %+v, want the key sent to the API server only", got)
	}
}

// A caller's own Authorization header on a request through HTTPClient is not the client's to
// remove.
func TestCredentialGuardLeavesOtherHeaders(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.WriteHeader(204)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, WithBaseURL("https://api.clickhouse.cloud"))
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/x", nil)
	req.Header.Set("Authorization", "Bearer theirs")
	resp, err := c.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if auth != "Bearer theirs" {
		t.Errorf("Authorization = %q", auth)
	}
}

func TestOriginOf(t *testing.T) {
	same := [][2]string{
		{"https://api.clickhouse.cloud", "https://API.clickhouse.cloud:443/v1/x"},
		{"http://127.0.0.1:80", "http://127.0.0.1/v1"},
	}
	for _, p := range same {
		if originOf(mustURL(t, p[0])) != originOf(mustURL(t, p[1])) {
			t.Errorf("%s and %s differ", p[0], p[1])
		}
	}
	differ := [][2]string{
		{"https://api.clickhouse.cloud", "http://api.clickhouse.cloud"},
		{"https://api.clickhouse.cloud", "https://eu.api.clickhouse.cloud"},
		{"http://127.0.0.1:8124", "http://127.0.0.1:8125"},
	}
	for _, p := range differ {
		if originOf(mustURL(t, p[0])) == originOf(mustURL(t, p[1])) {
			t.Errorf("%s and %s are the same", p[0], p[1])
		}
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
