// Package auth is `chcloud auth`: save an API key in a profile (login), show which credentials
// a command would use and where they come from (status), and forget them (logout).
package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chcloud-dev/chcloud/cloud/redact"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/config"
	"github.com/chcloud-dev/chcloud/internal/cli/iostreams"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Top is how `chcloud --help` lists `chcloud auth`.
var Top = cmdutil.Top{Use: "auth <command>", Short: "Log in, check and log out API credentials"}

// NewCommand wires `chcloud auth`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	return Top.Noun(newLoginCmd(f), newStatusCmd(f), newLogoutCmd(f))
}

// LoginOptions are the inputs of `auth login`.
type LoginOptions struct {
	F           *cmdutil.Factory
	KeyID       string
	SecretStdin bool // read the secret from stdin (for scripts)
	NoVerify    bool
}

func newLoginCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &LoginOptions{F: f}
	return f.Command(cmdutil.Cmd{
		Use:   "login [--key-id ID] [--secret-stdin]",
		Short: "Save an API key in a profile",
		Long: `Save an API key ID and secret in the config file ($XDG_CONFIG_HOME/chcloud/config.yaml,
mode 0600), in the profile chosen with --profile (default "default").

On a terminal the key ID and secret are asked for (the secret is not echoed). In scripts pass
--key-id and the secret on stdin with --secret-stdin. The key is checked against the API and its
organization saved with it, unless --no-verify.`,
		Example: `  chcloud auth login
  printf %s "$SECRET" | chcloud auth login --key-id "$KEY_ID" --secret-stdin --profile ci`,
		Flags: func(fl *pflag.FlagSet) {
			fl.StringVar(&opts.KeyID, "key-id", "", "API key ID")
			fl.BoolVar(&opts.SecretStdin, "secret-stdin", false, "read the key secret from stdin")
			fl.BoolVar(&opts.NoVerify, "no-verify", false, "save without checking the key against the API")
		},
		Run: func(ctx context.Context) error { return RunLogin(ctx, opts) },
	})
}

// ask asks for what on the terminal with prompt and reads the answer with read; off a terminal
// nobody can answer, and offTerminal is the usage error that says what to pass instead.
func ask(ios *iostreams.IOStreams, prompt, what, offTerminal string, read func() (string, error)) (string, error) {
	if !ios.CanPrompt() {
		return "", cmdutil.UsageErrorf("%s", offTerminal)
	}
	fmt.Fprint(ios.ErrOut, prompt)
	answer, err := read()
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", what, err)
	}
	return strings.TrimSpace(answer), nil
}

// RunLogin asks for or reads the key, checks it, and saves it in the profile.
func RunLogin(ctx context.Context, opts *LoginOptions) error {
	f := opts.F
	ios := f.IOStreams
	keyID, secret := opts.KeyID, ""
	if keyID == "" {
		keyID = f.Flags.APIKey
	}
	if f.Flags.APISecret != "" {
		secret = f.Flags.APISecret
	}
	if opts.SecretStdin {
		line, err := ios.ReadLine()
		if err != nil {
			return cmdutil.UsageErrorf("reading the secret from stdin: %w", err)
		}
		secret = strings.TrimSpace(line)
	}
	var err error
	if keyID == "" {
		keyID, err = ask(ios, "API key ID: ", "the key ID", "--key-id is required when not on a terminal", ios.ReadLine)
		if err != nil {
			return err
		}
	}
	if secret == "" {
		secret, err = ask(ios, "API key secret: ", "the secret", "pass the secret on stdin with --secret-stdin when not on a terminal",
			func() (string, error) {
				s, err := ios.ReadSecret()
				fmt.Fprintln(ios.ErrOut) // the typed secret is not echoed, nor is the newline that ends it
				return s, err
			})
		if err != nil {
			return err
		}
	}
	if keyID == "" || secret == "" {
		return cmdutil.UsageErrorf("both the key ID and the secret are needed")
	}
	f.CreatesProfile = true // --profile may name a new profile: login creates it
	r, err := f.Config()
	if err != nil {
		return err
	}
	profile := r.File.Profiles[r.Profile]
	profile.APIKey, profile.APISecret = keyID, secret
	if f.Flags.APIURL != "" {
		profile.APIURL = f.Flags.APIURL
	}
	if f.Flags.OrgID != "" {
		profile.OrgID = f.Flags.OrgID
	}
	if !opts.NoVerify {
		// Check the key as it will be used: these values win over the environment here.
		f.Flags.APIKey, f.Flags.APISecret = keyID, secret
		if profile.APIURL != "" {
			f.Flags.APIURL = profile.APIURL
		}
		f.ResetClient()
		c, err := f.Client()
		if err != nil {
			return err
		}
		org, err := c.OrganizationID(ctx)
		if err != nil {
			return cmdutil.WithHint(err, "the key was not saved; check the key ID and secret, or use --no-verify")
		}
		if profile.OrgID == "" {
			profile.OrgID = org
		}
	}
	if r.File.Profiles == nil {
		r.File.Profiles = map[string]config.Profile{}
	}
	r.File.Profiles[r.Profile] = profile
	if err := r.File.Save(r.Path); err != nil {
		return err
	}
	f.Infof("Saved API key %s in profile %q (%s).", keyID, r.Profile, r.Path)
	if profile.OrgID != "" {
		f.Infof("Organization: %s", profile.OrgID)
	}
	return nil
}

// StatusOptions are the inputs of `auth status`.
type StatusOptions struct {
	F        *cmdutil.Factory
	NoVerify bool
}

// Status is what `auth status` reports. It never holds the secret, only whether one is set.
type Status struct {
	Profile     string `json:"profile"`
	ProfileFrom string `json:"profileSource"`
	ConfigFile  string `json:"configFile"`
	KeyID       string `json:"keyId,omitempty"`
	KeyIDFrom   string `json:"keyIdSource,omitempty"`
	SecretSet   bool   `json:"secretSet"`
	SecretFrom  string `json:"secretSource,omitempty"`
	OrgID       string `json:"organizationId,omitempty"`
	OrgFrom     string `json:"organizationIdSource,omitempty"`
	APIURL      string `json:"apiUrl"`
	APIURLFrom  string `json:"apiUrlSource"`
	Verified    *bool  `json:"verified,omitempty"`
	VerifyError string `json:"verifyError,omitempty"`
}

func newStatusCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &StatusOptions{F: f}
	return f.Command(cmdutil.Cmd{Use: "status", Short: "Show which credentials are used and where each comes from",
		Flags: func(fl *pflag.FlagSet) {
			fl.BoolVar(&opts.NoVerify, "no-verify", false, "do not check the credentials against the API")
		},
		Run: func(ctx context.Context) error { return RunStatus(ctx, opts) }})
}

// RunStatus reports each setting and its source, then checks the key against the API. It exits
// with code 4 when credentials are missing or rejected.
func RunStatus(ctx context.Context, opts *StatusOptions) error {
	f := opts.F
	r, err := f.Config()
	if err != nil {
		return err
	}
	st := Status{
		Profile: r.Profile, ProfileFrom: r.ProfileFrom, ConfigFile: r.Path,
		KeyID: r.KeyID.Value, KeyIDFrom: r.KeyID.Source,
		SecretSet: r.KeySecret.Set(), SecretFrom: r.KeySecret.Source,
		OrgID: r.OrgID.Value, OrgFrom: r.OrgID.Source,
		// A password in the URL's user info is a secret like the key's (the SDK drops it).
		APIURL: redact.URL(r.APIURL.Value), APIURLFrom: r.APIURL.Source,
	}
	if st.APIURL == "" {
		st.APIURL, st.APIURLFrom = "https://api.clickhouse.cloud", "default"
	}
	var verifyErr error
	if !opts.NoVerify && st.KeyID != "" && st.SecretSet {
		ok := true
		org, err := f.OrgID(ctx)
		if err != nil {
			ok, verifyErr = false, err
			st.VerifyError = redact.Text(err.Error())
		} else if st.OrgID == "" {
			st.OrgID, st.OrgFrom = org, "the API key (looked up)"
		}
		st.Verified = &ok
	}
	if f.IsTable() && f.Output.JQ == "" {
		printStatus(f, st)
	} else if err := f.Print(st, output.Table{}); err != nil {
		return err
	}
	switch {
	case st.KeyID == "" || !st.SecretSet:
		return cmdutil.AuthErrorf("not logged in: set %s and %s, or run 'chcloud auth login'", config.EnvKeyID, config.EnvKeySecret)
	case verifyErr != nil:
		return verifyErr
	}
	return nil
}

func printStatus(f *cmdutil.Factory, st Status) {
	out := f.IOStreams.Out
	line := func(label, value, source string) {
		if value == "" {
			value = "(not set)"
		}
		if source != "" {
			fmt.Fprintf(out, "  %-13s %s  (from %s)\n", label+":", value, source)
		} else {
			fmt.Fprintf(out, "  %-13s %s\n", label+":", value)
		}
	}
	fmt.Fprintf(out, "Profile %q (%s), config file %s\n", st.Profile, st.ProfileFrom, st.ConfigFile)
	line("Key ID", st.KeyID, st.KeyIDFrom)
	secret := ""
	if st.SecretSet {
		secret = "set (hidden)"
	}
	line("Key secret", secret, st.SecretFrom)
	line("Organization", st.OrgID, st.OrgFrom)
	line("API URL", st.APIURL, st.APIURLFrom)
	switch {
	case st.Verified == nil:
	case *st.Verified:
		fmt.Fprintln(out, "  ✓ The API accepts this key.")
	default:
		fmt.Fprintf(out, "  ✗ The API did not accept this key: %s\n", st.VerifyError)
	}
}

// LogoutOptions are the inputs of `auth logout`.
type LogoutOptions struct{ F *cmdutil.Factory }

func newLogoutCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &LogoutOptions{F: f}
	return f.Command(cmdutil.Cmd{Use: "logout", Short: "Remove the saved key from the profile",
		Long: "Remove the key ID and secret from the profile. The key itself stays valid: delete it with 'chcloud key delete'.",
		Run:  func(context.Context) error { return RunLogout(opts) }})
}

// RunLogout forgets the profile's credentials.
func RunLogout(opts *LogoutOptions) error {
	f := opts.F
	r, err := f.Config()
	if err != nil {
		return err
	}
	profile, ok := r.File.Profiles[r.Profile]
	if !ok || (profile.APIKey == "" && profile.APISecret == "") {
		f.Infof("Profile %q holds no key.", r.Profile)
		return nil
	}
	profile.APIKey, profile.APISecret = "", ""
	r.File.Profiles[r.Profile] = profile
	if err := r.File.Save(r.Path); err != nil {
		return err
	}
	f.Infof("Removed the key from profile %q (%s).", r.Profile, r.Path)
	return nil
}
