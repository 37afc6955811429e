package configcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

func TestSetGetListUse(t *testing.T) {
	env := clitest.NewOffline(t, false)
	org := "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53"
	for _, kv := range [][2]string{{"org", org}, {"api-url", "http://127.0.0.1:8124"}, {"api-secret", "s3cret"}} {
		if err := RunSet(&SetOptions{F: env.F, Key: kv[0], Value: kv[1]}); err != nil {
			t.Fatal(err)
		}
	}
	path := env.ConfigPath()
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("config file mode: %v %v", info, err)
	}
	env.F.ResetClient()
	if err := RunGet(&GetOptions{F: env.F, Key: "org"}); err != nil || strings.TrimSpace(env.Out.String()) != org {
		t.Errorf("config get org = %q, %v", env.Out, err)
	}
	env.Out.Reset()
	if err := RunGet(&GetOptions{F: env.F, Key: "api-secret"}); err != nil || strings.Contains(env.Out.String(), "s3cret") {
		t.Errorf("config get api-secret printed %q (%v)", env.Out, err)
	}
	env.Out.Reset()
	env.F.Output.Format = "table"
	if err := RunList(&ListOptions{F: env.F}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.Out.String(), "default") || strings.Contains(env.Out.String(), "s3cret") {
		t.Errorf("config list:\n%s", env.Out)
	}

	clitest.WantUsage(t, map[string]error{
		"unknown key": RunSet(&SetOptions{F: env.F, Key: "colour", Value: "x"}),
		"bad org":     RunSet(&SetOptions{F: env.F, Key: "org", Value: "acme"}),
	})
	clitest.WantUsage(t, map[string]error{"use of a missing profile": RunUse(&UseOptions{F: env.F, Profile: "ci"})})
	if err := RunUse(&UseOptions{F: env.F, Profile: "default"}); err != nil {
		t.Errorf("use default: %v", err)
	}
}

// `config set --profile NAME` creates the profile (the README's way to point a profile at the
// fake server); `config get` with a profile that does not exist is still an error.
func TestSetCreatesANamedProfile(t *testing.T) {
	env := clitest.NewOffline(t, false)
	env.F.Flags.Profile = "fake"
	if err := RunSet(&SetOptions{F: env.F, Key: "api-url", Value: "http://127.0.0.1:8124"}); err != nil {
		t.Fatalf("config set into a new profile: %v", err)
	}
	env.F.ResetClient()
	env.F.CreatesProfile = false
	if err := RunGet(&GetOptions{F: env.F, Key: "api-url"}); err != nil || strings.TrimSpace(env.Out.String()) != "http://127.0.0.1:8124" {
		t.Errorf("config get api-url --profile fake = %q, %v", env.Out, err)
	}
	env.F.ResetClient()
	env.F.Flags.Profile = "fkae"
	clitest.WantUsage(t, map[string]error{"config get with a mistyped profile": RunGet(&GetOptions{F: env.F, Key: "api-url"})})
}

// A profile file written with the old snake_case keys keeps working, and the next `config set`
// rewrites it with the one spelling; `config list` names settings the same way.
func TestOldFileIsMigratedAndSettingsHaveOneName(t *testing.T) {
	env := clitest.NewOffline(t, false)
	path := env.ConfigPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	old := "current_profile: default\nprofiles:\n  default:\n    api_key: k-1\n    api_secret: s3cret\n    api_url: https://someone:pa55word@api.example\n"
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := RunGet(&GetOptions{F: env.F, Key: "api-key"}); err != nil || strings.TrimSpace(env.Out.String()) != "k-1" {
		t.Fatalf("config get api-key from an old file = %q, %v", env.Out, err)
	}
	env.Out.Reset()
	if err := RunGet(&GetOptions{F: env.F, Key: "api-url"}); err != nil || strings.Contains(env.Out.String(), "pa55word") {
		t.Errorf("config get api-url shows the URL's password: %q, %v", env.Out, err)
	}
	env.Out.Reset()
	env.F.ResetClient()
	if err := RunSet(&SetOptions{F: env.F, Key: "request-timeout", Value: "2m"}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	for _, want := range []string{"current-profile: default", "api-key: k-1", "api-secret: s3cret", "request-timeout: 2m"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("file after set lacks %q:\n%s", want, raw)
		}
	}
	if strings.Contains(string(raw), "api_key") {
		t.Errorf("file after set keeps the old keys:\n%s", raw)
	}

	env.F.ResetClient()
	env.F.Output.Format = "json"
	if err := RunList(&ListOptions{F: env.F}); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if env.DecodeOut(t, &rows); len(rows) != 1 {
		t.Fatalf("config list: %s", env.Out)
	}
	for _, key := range []string{"api-key", "api-secret", "api-url", "request-timeout"} {
		if _, ok := rows[0][key]; !ok {
			t.Errorf("config list has no %q: %v", key, rows[0])
		}
	}
	out := env.Out.String()
	if strings.Contains(out, "s3cret") || strings.Contains(out, "pa55word") || strings.Contains(out, "apiKey") {
		t.Errorf("config list: %s", out)
	}

	for _, kv := range [][2]string{{"api_key", "x"}, {"request-timeout", "soon"}, {"allow-insecure-http", "maybe"}} {
		clitest.WantUsage(t, map[string]error{"config set " + kv[0] + " " + kv[1]: RunSet(&SetOptions{F: env.F, Key: kv[0], Value: kv[1]})})
	}
}
