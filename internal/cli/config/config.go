// Package config finds the credentials, organization, API URL and connection settings a command
// uses, from (in this order) command-line flags, environment variables and a named profile in
// $XDG_CONFIG_HOME/chcloud/config.yaml, and remembers which source each value came from so
// `chcloud auth status` can say so. The profile file holds a secret and is written with mode 0600.
//
// Every setting has one name, the flag's (api-key, api-secret, org, api-url, request-timeout,
// allow-insecure-http): `config set` takes it and the file's keys are spelled the same way.
// Files written before that used snake_case keys (api_key, org_id...); they are still read, and
// rewritten with the current keys the next time chcloud saves the file.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/internal/atomicfile"
)

// Environment variables. The connection settings are the SDK's names (package cloud defines
// them), so that a program on the SDK, chcloud and the conformance suite read the same ones.
const (
	EnvKeyID     = cloud.EnvKeyID
	EnvKeySecret = cloud.EnvKeySecret
	EnvOrgID     = cloud.EnvOrgID
	EnvAPIURL    = cloud.EnvBaseURL
	// EnvProfile chooses the profile when --profile is not given.
	EnvProfile = "CHCLOUD_PROFILE"
	// EnvRequestTimeout and EnvAllowInsecureHTTP are chcloud's own settings, hence CHCLOUD_
	// and the setting's name.
	EnvRequestTimeout    = "CHCLOUD_REQUEST_TIMEOUT"
	EnvAllowInsecureHTTP = "CHCLOUD_ALLOW_INSECURE_HTTP"
)

// DefaultProfile is the profile used when none is named.
const DefaultProfile = "default"

// Profile is one named set of settings in the config file. Its YAML keys are the settings' names.
type Profile struct {
	APIKey    string `yaml:"api-key,omitempty"`
	APISecret string `yaml:"api-secret,omitempty"`
	OrgID     string `yaml:"org,omitempty"`
	APIURL    string `yaml:"api-url,omitempty"`
	// RequestTimeout bounds each attempt of an API call, as a Go duration ("90s"; "0" for no
	// limit); empty means the SDK's default.
	RequestTimeout string `yaml:"request-timeout,omitempty"`
	// AllowInsecureHTTP lets api-url be http:// to a host other than this machine.
	AllowInsecureHTTP bool `yaml:"allow-insecure-http,omitempty"`
}

// legacyProfile holds the keys files had before every setting took its flag's name.
type legacyProfile struct {
	APIKey    string `yaml:"api_key"`
	APISecret string `yaml:"api_secret"`
	OrgID     string `yaml:"org_id"`
	APIURL    string `yaml:"api_url"`
}

// UnmarshalYAML reads a profile with the current keys or the old snake_case ones; a current key
// wins when a file somehow has both.
func (p *Profile) UnmarshalYAML(value *yaml.Node) error {
	type plain Profile // without this method, so Decode does not recurse
	var cur plain
	if err := value.Decode(&cur); err != nil {
		return err
	}
	var old legacyProfile
	if err := value.Decode(&old); err != nil {
		return err
	}
	*p = Profile(cur)
	for _, f := range []struct {
		cur *string
		old string
	}{
		{&p.APIKey, old.APIKey}, {&p.APISecret, old.APISecret}, {&p.OrgID, old.OrgID}, {&p.APIURL, old.APIURL},
	} {
		if *f.cur == "" {
			*f.cur = f.old
		}
	}
	return nil
}

// File is the config file.
type File struct {
	// CurrentProfile is used when neither --profile nor CHCLOUD_PROFILE names one.
	CurrentProfile string             `yaml:"current-profile,omitempty"`
	Profiles       map[string]Profile `yaml:"profiles,omitempty"`
}

// UnmarshalYAML reads current-profile under its old key (current_profile) too.
func (f *File) UnmarshalYAML(value *yaml.Node) error {
	type plain File
	var cur plain
	if err := value.Decode(&cur); err != nil {
		return err
	}
	var old struct {
		CurrentProfile string `yaml:"current_profile"`
	}
	if err := value.Decode(&old); err != nil {
		return err
	}
	*f = File(cur)
	if f.CurrentProfile == "" {
		f.CurrentProfile = old.CurrentProfile
	}
	return nil
}

// Keys are the settings `chcloud config set` accepts: each is also a global flag of the same
// name and a key of the profile in the file.
var Keys = []string{"api-key", "api-secret", "org", "api-url", "request-timeout", "allow-insecure-http"}

// Get returns the value of one setting by its name.
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
	case "request-timeout":
		return p.RequestTimeout, nil
	case "allow-insecure-http":
		return strconv.FormatBool(p.AllowInsecureHTTP), nil
	}
	return "", unknownSetting(key)
}

// Set changes one setting by its name; an empty value clears it.
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
	case "request-timeout":
		if value != "" {
			if _, err := ParseRequestTimeout(value); err != nil {
				return err
			}
		}
		p.RequestTimeout = value
	case "allow-insecure-http":
		allow := false
		if value != "" {
			var err error
			if allow, err = parseBool("allow-insecure-http", value); err != nil {
				return err
			}
		}
		p.AllowInsecureHTTP = allow
	default:
		return unknownSetting(key)
	}
	return nil
}

func unknownSetting(key string) error {
	// The old file keys are what some people will type: point them to the one name.
	if i := slices.Index([]string{"api_key", "api_secret", "org_id", "api_url", "request_timeout", "allow_insecure_http"}, key); i >= 0 {
		return fmt.Errorf("unknown setting %q: settings are spelled like their flags, here %q", key, Keys[i])
	}
	return fmt.Errorf("unknown setting %q: use one of %s", key, strings.Join(Keys, ", "))
}

// ParseRequestTimeout reads a request-timeout value: a Go duration such as "90s" or "2m", or
// "0" for no limit.
func ParseRequestTimeout(value string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(value))
	if err != nil || d < 0 {
		return 0, fmt.Errorf("request-timeout %q is not a duration such as 90s or 2m (0 for no limit)", value)
	}
	return d, nil
}

func parseBool(name, value string) (bool, error) {
	v, err := strconv.ParseBool(strings.TrimSpace(value))
	if err != nil {
		return false, fmt.Errorf("%s %q is neither true nor false", name, value)
	}
	return v, nil
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
	if err := atomicfile.WriteFile(path, raw, 0o600); err != nil {
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
	// RequestTimeout is --request-timeout as typed (a duration).
	RequestTimeout string
	// AllowInsecureHTTP is --allow-insecure-http; false leaves the decision to the
	// environment and the profile.
	AllowInsecureHTTP bool
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

	// RequestTimeout is the per-attempt limit as given, AttemptTimeout its value (meaningful
	// only when RequestTimeout is set; 0 means no limit).
	RequestTimeout Value
	AttemptTimeout time.Duration
	// AllowInsecureHTTP is "true" when the user allowed http:// to another machine.
	AllowInsecureHTTP Value
	// Invalid says why a connection setting (request-timeout, allow-insecure-http) could not
	// be read. It is kept here rather than failing Resolve, so that `config set` can still
	// repair a bad value in the file; building a client fails with it.
	Invalid error
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
	r.RequestTimeout = pick(flags.RequestTimeout, "request-timeout", EnvRequestTimeout, profile.RequestTimeout)
	if r.RequestTimeout.Set() {
		d, err := ParseRequestTimeout(r.RequestTimeout.Value)
		if err != nil {
			r.Invalid = fmt.Errorf("%w (from %s)", err, r.RequestTimeout.Source)
		}
		r.AttemptTimeout = d
	}
	switch env := getenv(EnvAllowInsecureHTTP); {
	case flags.AllowInsecureHTTP:
		r.AllowInsecureHTTP = Value{"true", "flag --allow-insecure-http"}
	case env != "":
		// Any value in the environment wins over the profile, false included.
		allow, err := parseBool(EnvAllowInsecureHTTP, env)
		if err != nil {
			r.Invalid = errors.Join(r.Invalid, err)
		}
		r.AllowInsecureHTTP = Value{strconv.FormatBool(allow), "env " + EnvAllowInsecureHTTP}
	case profile.AllowInsecureHTTP:
		r.AllowInsecureHTTP = Value{"true", fromProfile}
	}
	return r, nil
}

// InsecureHTTPAllowed reports whether the user allowed http:// to another machine.
func (r *Resolved) InsecureHTTPAllowed() bool { return r.AllowInsecureHTTP.Value == "true" }

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
