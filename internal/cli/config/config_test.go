package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func env(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"XDG_CONFIG_HOME": dir}
	path, err := Path(env(vars))
	if err != nil || path != filepath.Join(dir, "chcloud", "config.yaml") {
		t.Fatalf("Path = %q, %v", path, err)
	}
	f := &File{Profiles: map[string]Profile{
		"default": {APIKey: "file-key", APISecret: "file-secret", OrgID: "file-org", APIURL: "http://file"},
		"ci":      {APIKey: "ci-key", APISecret: "ci-secret"},
	}}
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("config file mode = %v (%v), want 0600", info.Mode().Perm(), err)
	}

	r, err := Resolve(Flags{}, env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if r.KeyID.Value != "file-key" || r.KeyID.Source != `profile "default" (`+path+`)` || r.APIURL.Value != "http://file" {
		t.Errorf("profile only: %+v", r)
	}

	vars[EnvKeyID], vars[EnvKeySecret] = "env-key", "env-secret"
	r, _ = Resolve(Flags{}, env(vars))
	if r.KeyID.Value != "env-key" || r.KeyID.Source != "env "+EnvKeyID || r.OrgID.Value != "file-org" {
		t.Errorf("env over profile: %+v", r)
	}

	r, _ = Resolve(Flags{APIKey: "flag-key", OrgID: "flag-org"}, env(vars))
	if r.KeyID.Value != "flag-key" || r.KeyID.Source != "flag --api-key" || r.KeySecret.Value != "env-secret" || r.OrgID.Source != "flag --org" {
		t.Errorf("flags over env: %+v", r)
	}

	delete(vars, EnvKeyID)
	delete(vars, EnvKeySecret)
	vars[EnvProfile] = "ci"
	r, _ = Resolve(Flags{}, env(vars))
	if r.Profile != "ci" || r.ProfileFrom != "env "+EnvProfile || r.KeyID.Value != "ci-key" || r.OrgID.Set() {
		t.Errorf("CHCLOUD_PROFILE: %+v", r)
	}
	if _, err := Resolve(Flags{Profile: "nope"}, env(vars)); err == nil {
		t.Error("an unknown --profile must be an error")
	}
}

func TestMissingFileIsEmpty(t *testing.T) {
	f, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	if err != nil || len(f.Profiles) != 0 {
		t.Errorf("Load(missing) = %+v, %v", f, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("profiles: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil {
		t.Error("invalid YAML accepted")
	}
}

func TestSetGet(t *testing.T) {
	var p Profile
	value := func(k string) string {
		switch k {
		case "request-timeout":
			return "90s"
		case "allow-insecure-http":
			return "true"
		}
		return "v-" + k
	}
	for _, k := range Keys {
		if err := p.Set(k, value(k)); err != nil {
			t.Fatal(err)
		}
		if v, _ := p.Get(k); v != value(k) {
			t.Errorf("Get(%s) = %q", k, v)
		}
	}
	if err := p.Set("color", "red"); err == nil {
		t.Error("unknown key accepted")
	}
}

// A file written with the old snake_case keys is read as it was, and saving it writes every
// setting under its one name, the flag's.
func TestOldKeysAreReadAndMigrated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	old := `current_profile: ci
profiles:
  ci:
    api_key: old-key
    api_secret: old-secret
    org_id: 7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53
    api_url: http://127.0.0.1:8124
  mixed:
    api_key: stale
    api-key: current
`
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Profile{APIKey: "old-key", APISecret: "old-secret", OrgID: "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53", APIURL: "http://127.0.0.1:8124"}
	if f.CurrentProfile != "ci" || f.Profiles["ci"] != want {
		t.Errorf("old file read as %+v", f)
	}
	if got := f.Profiles["mixed"].APIKey; got != "current" {
		t.Errorf("with both spellings, api-key = %q, want the current key's value", got)
	}
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	for _, gone := range []string{"api_key", "api_secret", "org_id", "api_url", "current_profile"} {
		if strings.Contains(string(raw), gone) {
			t.Errorf("saved file still has %s:\n%s", gone, raw)
		}
	}
	for _, key := range []string{"current-profile: ci", "api-key: old-key", "api-secret: old-secret", "org: 7f1d", "api-url: http://127.0.0.1:8124"} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("saved file lacks %q:\n%s", key, raw)
		}
	}
	again, err := Load(path)
	if err != nil || again.Profiles["ci"] != want || again.CurrentProfile != "ci" {
		t.Errorf("reloaded %+v, %v", again, err)
	}
}

// Every setting is spelled one way: `config set` takes the flag's name, the file's key is the
// same, and the old spellings are refused with the right one named.
func TestOneSpellingPerSetting(t *testing.T) {
	var p Profile
	values := map[string]string{"api-key": "k", "api-secret": "s", "org": "o", "api-url": "https://h",
		"request-timeout": "90s", "allow-insecure-http": "true"}
	for _, k := range Keys {
		if err := p.Set(k, values[k]); err != nil {
			t.Fatalf("Set(%s): %v", k, err)
		}
	}
	raw, err := yaml.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	if err := yaml.Unmarshal(raw, &keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(Keys) {
		t.Errorf("file keys %v, want %v", keys, Keys)
	}
	for _, k := range Keys {
		if _, ok := keys[k]; !ok {
			t.Errorf("setting %s is not spelled %s in the file:\n%s", k, k, raw)
		}
	}
	for _, old := range []string{"api_key", "org_id", "request_timeout"} {
		err := p.Set(old, "x")
		if err == nil || !strings.Contains(err.Error(), strings.ReplaceAll(strings.TrimSuffix(old, "_id"), "_", "-")) {
			t.Errorf("Set(%s) = %v, want a pointer to the one spelling", old, err)
		}
	}
	for k, bad := range map[string]string{"request-timeout": "soon", "allow-insecure-http": "perhaps"} {
		if err := p.Set(k, bad); err == nil {
			t.Errorf("Set(%s, %s) accepted", k, bad)
		}
	}
	if err := p.Set("request-timeout", "-1s"); err == nil {
		t.Error("a negative request-timeout accepted")
	}
}

// request-timeout and allow-insecure-http follow flags > environment > profile like the rest;
// a value that does not parse is reported, not fatal to resolution.
func TestConnectionSettings(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"XDG_CONFIG_HOME": dir}
	path, _ := Path(env(vars))
	f := &File{Profiles: map[string]Profile{"default": {RequestTimeout: "2m", AllowInsecureHTTP: true}}}
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	r, err := Resolve(Flags{}, env(vars))
	if err != nil || r.Invalid != nil {
		t.Fatal(err, r.Invalid)
	}
	if r.AttemptTimeout != 2*time.Minute || !strings.HasPrefix(r.RequestTimeout.Source, "profile") || !r.InsecureHTTPAllowed() {
		t.Errorf("from the profile: %+v", r)
	}
	vars[EnvRequestTimeout], vars[EnvAllowInsecureHTTP] = "45s", "false"
	r, _ = Resolve(Flags{}, env(vars))
	if r.AttemptTimeout != 45*time.Second || r.RequestTimeout.Source != "env "+EnvRequestTimeout || r.InsecureHTTPAllowed() {
		t.Errorf("env over profile: %+v", r)
	}
	r, _ = Resolve(Flags{RequestTimeout: "0", AllowInsecureHTTP: true}, env(vars))
	if !r.RequestTimeout.Set() || r.AttemptTimeout != 0 || r.RequestTimeout.Source != "flag --request-timeout" ||
		!r.InsecureHTTPAllowed() || r.AllowInsecureHTTP.Source != "flag --allow-insecure-http" {
		t.Errorf("flags over env: %+v", r)
	}
	vars[EnvRequestTimeout], vars[EnvAllowInsecureHTTP] = "soon", "perhaps"
	r, err = Resolve(Flags{}, env(vars))
	if err != nil || r.Invalid == nil || !strings.Contains(r.Invalid.Error(), EnvRequestTimeout) || !strings.Contains(r.Invalid.Error(), EnvAllowInsecureHTTP) {
		t.Errorf("bad values: %v, Invalid = %v", err, r.Invalid)
	}
}
