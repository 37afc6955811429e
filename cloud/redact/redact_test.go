package redact_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/cloud/redact"
)

func TestJSONRedactsSecretsAndKeepsTheRest(t *testing.T) {
	const (
		keyID     = "a4f2c0de-key-id-created"
		keySecret = "4b1d2c3e-super-secret-value"
		password  = "svc-Pa55word!"
		signed    = "https://bucket.s3.amazonaws.com/f.tgz?X-Amz-Signature=abcdef0123&X-Amz-Credential=AKIA"
	)
	body := `{"status":200,"requestId":"r-1","result":{"key":{"id":"key-uuid-1","name":"ci","echo":"` + keyID + `"},` +
		`"keyId":"` + keyID + `","keySecret":"` + keySecret + `",` +
		`"service":{"name":"db","password":"` + password + `","port":9440,"tags":[{"key":"a","value":"b"}]},` +
		`"newPasswordHash":"h1","newDoubleSha1Hash":"h2","newPassword":"np",` +
		`"credentials":{"accessKeyId":"AKIAX","secretAccessKey":"shh"},"secrets":[1,2],` +
		`"privateKey":"-----BEGIN PRIVATE KEY-----x","connectionString":"postgres://u:p@h/db",` +
		`"upload":{"uploadUrl":"https://up.example/x"},"link":"` + signed + `","empty":null}}`
	out, err := redact.JSON([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{keyID, keySecret, password, "h1", "h2", `"np"`, "AKIAX", "shh", "BEGIN PRIVATE", "u:p@h", "up.example", "abcdef0123", "AKIA\""} {
		if strings.Contains(string(out), secret) {
			t.Errorf("output still contains %q: %s", secret, out)
		}
	}
	// The key ID next to keySecret is secret, and so is that value anywhere else; the key.s own id is not.
	var doc struct {
		Result struct {
			KeyID string `json:"keyId"`
			Key   struct {
				ID string `json:"id"`
			} `json:"key"`
			Service struct {
				Name string `json:"name"`
				Port int    `json:"port"`
			} `json:"service"`
			Empty any `json:"empty"`
		} `json:"result"`
		RequestID string `json:"requestId"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("redacted output is not JSON: %v\n%s", err, out)
	}
	if doc.Result.KeyID != redact.Placeholder {
		t.Errorf("keyId next to keySecret = %q, want redacted", doc.Result.KeyID)
	}
	if doc.Result.Key.ID != "key-uuid-1" || doc.Result.Service.Name != "db" || doc.Result.Service.Port != 9440 || doc.RequestID != "r-1" {
		t.Errorf("non-secret values changed: %s", out)
	}
	if !strings.HasPrefix(string(out), `{"status":200,"requestId":"r-1","result":{"key":`) {
		t.Errorf("property order not kept: %s", out)
	}
}

func TestJSONRejectsInvalid(t *testing.T) {
	for _, in := range []string{"", "{", `{"a":1} x`, "<html>"} {
		if _, err := redact.JSON([]byte(in)); err == nil {
			t.Errorf("JSON(%q) succeeded", in)
		}
	}
}

func TestBody(t *testing.T) {
	pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecret\n-----END RSA PRIVATE KEY-----\n"
	if out := redact.Body("application/x-pem-file", []byte(pem)); strings.Contains(string(out), "MIIEsecret") {
		t.Errorf("PEM private key kept: %s", out)
	}
	cert := "-----BEGIN CERTIFICATE-----\nMIIBpublic\n-----END CERTIFICATE-----\n"
	if out := redact.Body("application/x-pem-file", []byte(cert)); string(out) != cert {
		t.Errorf("certificate changed: %s", out)
	}
	if out := redact.Body("application/json", []byte(`{"password":`)); strings.Contains(string(out), "password") {
		t.Errorf("broken JSON kept: %s", out)
	}
	text := "see https://b.s3.amazonaws.com/k?X-Amz-Signature=deadbeef for the file"
	if out := redact.Body("text/plain", []byte(text)); strings.Contains(string(out), "deadbeef") || !strings.Contains(string(out), "for the file") {
		t.Errorf("text body: %s", out)
	}
}

func TestHeaderMasksAuthorization(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "Basic a2V5OnNlY3JldA==")
	h.Set("User-Agent", "chcloud/test")
	out := redact.Header(h)
	if got := out.Get("Authorization"); got != "Basic "+redact.Placeholder {
		t.Errorf("Authorization = %q", got)
	}
	if out.Get("User-Agent") != "chcloud/test" || h.Get("Authorization") != "Basic a2V5OnNlY3JldA==" {
		t.Error("other headers changed or input modified")
	}
}

func TestURL(t *testing.T) {
	plain := "https://api.clickhouse.cloud/v1/organizations?x=1"
	if redact.URL(plain) != plain {
		t.Error("plain URL changed")
	}
	if got := redact.URL("https://s.example/o?sig=abc&se=2026"); strings.Contains(got, "abc") {
		t.Errorf("signed URL kept signature: %s", got)
	}
}

func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"keySecret":"s","keyId":"k"}`))
	f.Add([]byte(`[{"password":1},"x",null,true]`))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := redact.JSON(in)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid output %q for %q", out, in)
		}
	})
}

// User info in a URL (https://user:pass@host) is hidden wherever a URL is shown: alone, in text
// such as an error message, and in bodies.
func TestUserInfo(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://user:pa55@api.example/v1?x=1", "https://" + redact.Placeholder + "@api.example/v1?x=1"},
		{"http://only-user@127.0.0.1:8124", "http://" + redact.Placeholder + "@127.0.0.1:8124"},
		{"https://u:p@s.example/o?sig=abc", "https://" + redact.Placeholder + "@s.example/o?" + redact.Placeholder},
		{"ht tp://u:pa55@x", "ht tp://" + redact.Placeholder + "@x"}, // does not parse: masked anyway
	} {
		if got := redact.URL(tc.in); got != tc.want {
			t.Errorf("URL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	msg := `Get "https://user:***@api.example/v1/organizations": dial tcp: no such host; see https://k:pa55@h/x`
	got := redact.Text(msg)
	if strings.Contains(got, "user") || strings.Contains(got, "pa55") || !strings.Contains(got, "dial tcp: no such host") {
		t.Errorf("Text = %q", got)
	}
	if plain := "no URL here: a@b"; redact.Text(plain) != plain {
		t.Errorf("Text changed %q", plain)
	}
	body := redact.Body("application/json", []byte(`{"url":"https://k:pa55@h/x","ok":"https://h/y"}`))
	if strings.Contains(string(body), "pa55") || !strings.Contains(string(body), "https://h/y") {
		t.Errorf("Body = %s", body)
	}
	text := redact.Body("text/plain", []byte("proxy https://k:pa55@h/x failed"))
	if strings.Contains(string(text), "pa55") {
		t.Errorf("Body (text) = %s", text)
	}
}
