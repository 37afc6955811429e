// Package config finds the credentials, organization and API URL a command uses, from (in this
// order) command-line flags, environment variables and a named profile in
// $XDG_CONFIG_HOME/chcloud/config.yaml, and remembers which source each value came from so
// `chcloud auth status` can say so. The profile file holds a secret and is written with mode 0600.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Environment variables, named as ClickHouse's own tools name them.
const (
	EnvKeyID     = "CLICKHOUSE_CLOUD_API_KEY"
	EnvKeySecret = "CLICKHOUSE_CLOUD_API_SECRET"
	EnvOrgID     = "CLICKHOUSE_ORG_ID"
	EnvAPIURL    = "CLICKHOUSE_API_URL"
	// EnvProfile chooses the profile when --profile is not given.
	EnvProfile = "CHCLOUD_PROFILE"
)

// DefaultProfile is the profile used when none is named.
const DefaultProfile = "default"

// Profile is one named set of settings in the config file.
type Profile struct {
	APIKey    string `yaml:"api_key,omitempty"`
	APISecret string `yaml:"api_secret,omitempty"`
	OrgID     string `yaml:"org_id,omitempty"`
	APIURL    string `yaml:"api_url,omitempty"`
}

// File is the config file.
type File struct {
	// CurrentProfile is used when neither --profile nor CHCLOUD_PROFILE names one.
	CurrentProfile string             `yaml:"current_profile,omitempty"`
	Profiles       map[string]Profile `yaml:"profiles,omitempty"`
}

// Keys are the settings `chcloud config set` accepts, with the Profile field each one sets.
var Keys = []string{"api-key", "api-secret", "org", "api-url"}

// Get returns the value of one setting by its `config set` key.
func (p Profile) Get(key string) (string, error) {
	switch key {
	case "api-key":
		return p.APIKey, nil
	case "api-secret":
		return p.APISecret, nil
	case "org":
		return p.OrgID, nil
	case "api-url":
		return p.APIURL, nil
	}
	return "", fmt.Errorf("unknown setting %q: use one of %s", key, strings.Join(Keys, ", "))
}

// Set changes one setting by its `config set` key.
func (p *Profile) Set(key, value string) error {
	switch key {
	case "api-key":
		p.APIKey = value
	case "api-secret":
		p.APISecret = value
	case "org":
		p.OrgID = value
	case "api-url":
		p.APIURL = value
	default:
		return fmt.Errorf("unknown setting %q: use one of %s", key, strings.Join(Keys, ", "))
	}
	return nil
}

// Path returns where the config file lives: $XDG_CONFIG_HOME/chcloud/config.yaml, or
// ~/.config/chcloud/config.yaml when XDG_CONFIG_HOME is unset.
func Path(getenv func(string) string) (string, error) {
	if dir := getenv("XDG_CONFIG_HOME"); dir != "" {
		return filepath.Join(dir, "chcloud", "config.yaml"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("finding the config directory: set XDG_CONFIG_HOME or HOME: %w", err)
		}
	}
	return filepath.Join(home, ".config", "chcloud", "config.yaml"), nil
}

// Load reads the config file; a missing file is an empty config, not an error.
func Load(path string) (*File, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	var f File
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("config file %s is not valid YAML: %w", path, err)
	}
	return &f, nil
}

// Save writes the file with mode 0600 (it may hold a key secret), atomically, creating the
// directory with mode 0700 when needed.
func (f *File) Save(path string) error {
	raw, err := yaml.Marshal(f)
	if err != nil {
		return fmt.Errorf("encoding config: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating config directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml")
	if err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename succeeds
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing config: %w", err)
	}
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return fmt.Errorf("writing config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	return nil
}

// ProfileNames returns the names of the profiles in the file, sorted.
func (f *File) ProfileNames() []string {
	names := make([]string, 0, len(f.Profiles))
	for n := range f.Profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Flags are the global flag values that override everything else; empty means unset.
type Flags struct {
	Profile   string
	APIKey    string
	APISecret string
	OrgID     string
	APIURL    string
}

// Value is one resolved setting and where it came from.
type Value struct {
	Value  string
	Source string // e.g. "flag --org", "env CLICKHOUSE_ORG_ID", "profile \"default\" (/path)"; "" when unset
}

// Set reports whether the setting has a value.
func (v Value) Set() bool { return v.Value != "" }

// Resolved is the outcome of resolution.
type Resolved struct {
	Profile     string // the profile that was consulted
	ProfileFrom string // "flag --profile", "env CHCLOUD_PROFILE", "config file", or "default"
	Path        string // the config file
	File        *File

	KeyID, KeySecret, OrgID, APIURL Value
}

// ResolveOption changes how Resolve treats the profile file.
type ResolveOption func(*resolveSettings)

type resolveSettings struct{ allowNewProfile bool }

// AllowNewProfile lets --profile name a profile the file does not have yet, for the commands
// that create one (auth login, config set). Elsewhere an unknown --profile is an error, so that
// a typo does not silently run with no settings.
func AllowNewProfile() ResolveOption { return func(s *resolveSettings) { s.allowNewProfile = true } }

// Resolve applies flags > environment > profile file for each setting.
func Resolve(flags Flags, getenv func(string) string, opts ...ResolveOption) (*Resolved, error) {
	var settings resolveSettings
	for _, o := range opts {
		o(&settings)
	}
	path, err := Path(getenv)
	if err != nil {
		return nil, err
	}
	file, err := Load(path)
	if err != nil {
		return nil, err
	}
	r := &Resolved{Path: path, File: file}
	switch {
	case flags.Profile != "":
		r.Profile, r.ProfileFrom = flags.Profile, "flag --profile"
	case getenv(EnvProfile) != "":
		r.Profile, r.ProfileFrom = getenv(EnvProfile), "env "+EnvProfile
	case file.CurrentProfile != "":
		r.Profile, r.ProfileFrom = file.CurrentProfile, "config file"
	default:
		r.Profile, r.ProfileFrom = DefaultProfile, "default"
	}
	profile, found := file.Profiles[r.Profile]
	if !found && flags.Profile != "" && !settings.allowNewProfile {
		return nil, fmt.Errorf("profile %q not found in %s (profiles: %s)", r.Profile, path, listOrNone(file.ProfileNames()))
	}
	fromProfile := fmt.Sprintf("profile %q (%s)", r.Profile, path)
	pick := func(flagValue, flagName, env, profileValue string) Value {
		switch {
		case flagValue != "":
			return Value{flagValue, "flag --" + flagName}
		case getenv(env) != "":
			return Value{getenv(env), "env " + env}
		case profileValue != "":
			return Value{profileValue, fromProfile}
		}
		return Value{}
	}
	r.KeyID = pick(flags.APIKey, "api-key", EnvKeyID, profile.APIKey)
	r.KeySecret = pick(flags.APISecret, "api-secret", EnvKeySecret, profile.APISecret)
	r.OrgID = pick(flags.OrgID, "org", EnvOrgID, profile.OrgID)
	r.APIURL = pick(flags.APIURL, "api-url", EnvAPIURL, profile.APIURL)
	return r, nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
