package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const rotateFixture = `# written by hand
current-profile: prod
profiles:
  prod:
    api-key: OLDKEYID
    api-secret: old-secret # the one to rotate
    org: 7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53
    request-timeout: 90s
    future-setting: kept
  staging:
    api-key: STAGINGKEY
    api-secret: staging-secret
  legacy:
    api_key: LEGACYKEY
    api_secret: legacy-secret
    api_url: https://example.test
`

func writeFixture(t *testing.T, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(rotateFixture), mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSetCredentialsChangesOnlyTheProfilesKey(t *testing.T) {
	path := writeFixture(t, 0o644)
	if err := SetCredentials(path, "prod", "NEWKEYID", "new-secret"); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("mode after the update = %v (%v), want 0600", info.Mode().Perm(), err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	prod := f.Profiles["prod"]
	if prod.APIKey != "NEWKEYID" || prod.APISecret != "new-secret" || prod.OrgID != "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53" || prod.RequestTimeout != "90s" {
		t.Errorf("prod after the update: %+v", prod)
	}
	if f.CurrentProfile != "prod" {
		t.Errorf("current-profile = %q", f.CurrentProfile)
	}
	if s := f.Profiles["staging"]; s.APIKey != "STAGINGKEY" || s.APISecret != "staging-secret" {
		t.Errorf("another profile changed: %+v", s)
	}
	raw, _ := os.ReadFile(path)
	for _, want := range []string{"# written by hand", "future-setting: kept", "# the one to rotate"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the update lost %q:\n%s", want, raw)
		}
	}
	if strings.Contains(string(raw), "old-secret") {
		t.Errorf("the old secret is still in the file:\n%s", raw)
	}
}

func TestSetCredentialsReplacesLegacyKeys(t *testing.T) {
	path := writeFixture(t, 0o600)
	if err := SetCredentials(path, "legacy", "NEWKEYID", "new-secret"); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "legacy-secret") || strings.Contains(string(raw), "LEGACYKEY") {
		t.Errorf("the legacy credentials stayed:\n%s", raw)
	}
	f, _ := Load(path)
	if l := f.Profiles["legacy"]; l.APIKey != "NEWKEYID" || l.APISecret != "new-secret" || l.APIURL != "https://example.test" {
		t.Errorf("legacy profile after the update: %+v", l)
	}
}

func TestSetCredentialsRefusesWithoutTouchingTheFile(t *testing.T) {
	path := writeFixture(t, 0o600)
	err := SetCredentials(path, "nope", "NEWKEYID", "new-secret")
	if err == nil || !strings.Contains(err.Error(), `profile "nope" not found`) || !strings.Contains(err.Error(), "legacy, prod, staging") {
		t.Errorf("unknown profile: %v", err)
	}
	if raw, _ := os.ReadFile(path); string(raw) != rotateFixture {
		t.Errorf("the file changed after a refused update:\n%s", raw)
	}
	if err := SetCredentials(filepath.Join(t.TempDir(), "missing.yaml"), "prod", "K", "S"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
}
