package config

import (
	"os"
	"path/filepath"
	"testing"
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
	for _, k := range Keys {
		if err := p.Set(k, "v-"+k); err != nil {
			t.Fatal(err)
		}
		if v, _ := p.Get(k); v != "v-"+k {
			t.Errorf("Get(%s) = %q", k, v)
		}
	}
	if err := p.Set("color", "red"); err == nil {
		t.Error("unknown key accepted")
	}
}
