package conformance

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigFromEnv(t *testing.T) {
	c, err := ConfigFromEnv(env(nil), "conf")
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode != Replay || c.BaseURL != DefaultAPIURL || c.Mutate || c.CassetteDir != filepath.Join("conf", "testdata", "cassettes") || c.ReportDir != filepath.Join("conf", "report") {
		t.Errorf("defaults = %+v", c)
	}
	if !strings.HasPrefix(c.RunPrefix, NamePrefix) || len(c.RunPrefix) != len(NamePrefix)+6 || !c.RunsMutating() || c.CallsServer() {
		t.Errorf("run prefix %q, runs mutating %v, calls server %v", c.RunPrefix, c.RunsMutating(), c.CallsServer())
	}

	c, err = ConfigFromEnv(env(map[string]string{EnvMode: "LIVE", EnvKey: "k", EnvSecret: "s", EnvURL: "https://staging.example/"}), ".")
	if err != nil || c.Mode != Live || c.BaseURL != "https://staging.example" || c.RunsMutating() {
		t.Errorf("live read-only: %+v, %v", c, err)
	}
	c, err = ConfigFromEnv(env(map[string]string{EnvMode: "record", EnvURL: FakeURL, EnvMutate: "1"}), ".")
	if err != nil || !c.Mutate || !c.RunsMutating() {
		t.Errorf("record against the fake needs no credentials and mutates: %+v, %v", c, err)
	}

	if EnvURL != "CLICKHOUSE_API_URL" {
		t.Errorf("EnvURL = %q: the suite reads the SDK's and the CLI's name for the server", EnvURL)
	}
	c, err = ConfigFromEnv(env(map[string]string{EnvURLDeprecated: "https://old.example"}), ".")
	if err != nil || c.BaseURL != "https://old.example" {
		t.Errorf("the deprecated %s alone still names the server: %+v, %v", EnvURLDeprecated, c, err)
	}
	c, err = ConfigFromEnv(env(map[string]string{EnvURL: "https://new.example", EnvURLDeprecated: "https://old.example"}), ".")
	if err != nil || c.BaseURL != "https://new.example" {
		t.Errorf("%s wins over the deprecated %s: %+v, %v", EnvURL, EnvURLDeprecated, c, err)
	}

	if _, err := ConfigFromEnv(env(map[string]string{EnvMode: "live"}), "."); err == nil || !strings.Contains(err.Error(), EnvKey) {
		t.Errorf("live without credentials: %v, want an error naming %s", err, EnvKey)
	}
	if _, err := ConfigFromEnv(env(map[string]string{EnvMode: "replya"}), "."); err == nil {
		t.Error("a misspelt mode was accepted")
	}
}

func TestScrubRemovesSecretsBeforeSaving(t *testing.T) {
	i := &cassette.Interaction{
		Request: cassette.Request{
			Headers: http.Header{"Authorization": {"Basic a2V5OnNlY3JldA=="}, "Content-Type": {"application/json"}},
			Body:    `{"name":"x","password":"hunter2hunter2"}`,
			URL:     "https://bucket.s3.amazonaws.com/f?X-Amz-Signature=abc&X-Amz-Credential=def",
		},
		Response: cassette.Response{
			Headers: http.Header{"Content-Type": {"application/json"}, "Content-Length": {"99"}, "Date": {"Wed, 25 Nov 2026 22:00:00 GMT"}},
			Body:    `{"result":{"keyId":"AbCdEf123456","keySecret":"4b1d_super_secret","key":{"id":"k1"}}}`,
		},
	}
	if err := Scrub(i); err != nil {
		t.Fatal(err)
	}
	all := i.Request.Body + i.Request.URL + i.Response.Body + i.Request.Headers.Get("Authorization")
	for _, secret := range []string{"a2V5OnNlY3JldA==", "hunter2hunter2", "abc&", "AbCdEf123456", "4b1d_super_secret"} {
		if strings.Contains(all, secret) {
			t.Errorf("%q survived scrubbing: %s", secret, all)
		}
	}
	if i.Request.Headers.Get("Authorization") != "" || i.Response.Headers.Get("Date") != "" || i.Response.Headers.Get("Content-Length") != "" {
		t.Errorf("headers after scrubbing: %v / %v", i.Request.Headers, i.Response.Headers)
	}
	if !strings.Contains(i.Response.Body, `"id":"k1"`) || i.Response.ContentLength != int64(len(i.Response.Body)) {
		t.Errorf("scrubbing changed more than secrets: %s (length %d)", i.Response.Body, i.Response.ContentLength)
	}
}

func TestDisposableMemberFromEnv(t *testing.T) {
	c, err := ConfigFromEnv(env(map[string]string{EnvDisposableMember: "  spare@example.com "}), ".")
	if err != nil {
		t.Fatal(err)
	}
	if c.DisposableMember != "spare@example.com" {
		t.Errorf("DisposableMember = %q", c.DisposableMember)
	}
	c, err = ConfigFromEnv(env(nil), ".")
	if err != nil {
		t.Fatal(err)
	}
	if c.DisposableMember != "" {
		t.Errorf("DisposableMember = %q without the variable, want none", c.DisposableMember)
	}
}

func TestAPIURLWithV1IsRefused(t *testing.T) {
	_, err := ConfigFromEnv(env(map[string]string{EnvMode: "live", EnvURL: "https://api.clickhouse.cloud/v1/", EnvKey: "k", EnvSecret: "s"}), ".")
	if err == nil || !strings.Contains(err.Error(), "ends in /v1") {
		t.Errorf("err = %v, want one saying to drop /v1", err)
	}
}
