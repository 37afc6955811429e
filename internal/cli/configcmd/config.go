// Package configcmd is `chcloud config`: read and change the profiles in the config file.
package configcmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud/redact"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/config"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Top is how `chcloud --help` lists `chcloud config`.
var Top = cmdutil.Top{Use: "config <command>", Short: "Read and change settings in the config file"}

// NewCommand wires `chcloud config`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	cmd := Top.Noun(newSetCmd(f), newGetCmd(f), newListCmd(f), newUseCmd(f))
	cmd.Long = fmt.Sprintf(`Read and change the profiles in $XDG_CONFIG_HOME/chcloud/config.yaml (mode 0600).

Settings: %s. Each is spelled the same as a
setting, a global flag (--api-key...) and a key in the file. Flags and environment variables
override the profile. Files written with the old keys (api_key, org_id...) are still read and
are rewritten with the current ones when saved.`, strings.Join(config.Keys, ", "))
	return cmd
}

// SetOptions are the inputs of `config set`.
type SetOptions struct {
	F          *cmdutil.Factory
	Key, Value string
}

func newSetCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &SetOptions{F: f}
	return &cobra.Command{
		Use:       "set KEY VALUE",
		Short:     "Set a setting in the profile",
		Example:   "  chcloud config set org 7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53\n  chcloud config set api-url http://127.0.0.1:8080 --profile fake\n  chcloud config set request-timeout 2m",
		Args:      cmdutil.ExactArgs("KEY", "VALUE"),
		ValidArgs: config.Keys,
		RunE:      cmdutil.Run(func(context.Context) error { return RunSet(opts) }, &opts.Key, &opts.Value),
	}
}

// RunSet changes one setting and saves the file with mode 0600.
func RunSet(opts *SetOptions) error {
	f := opts.F
	f.CreatesProfile = true // --profile may name a new profile: set creates it
	r, err := f.Config()
	if err != nil {
		return err
	}
	if opts.Key == "org" && opts.Value != "" {
		if err := cmdutil.ValidateID("organization", opts.Value); err != nil {
			return err
		}
	}
	profile := r.File.Profiles[r.Profile]
	if err := profile.Set(opts.Key, opts.Value); err != nil {
		return cmdutil.UsageErrorf("%w", err)
	}
	if r.File.Profiles == nil {
		r.File.Profiles = map[string]config.Profile{}
	}
	r.File.Profiles[r.Profile] = profile
	if err := r.File.Save(r.Path); err != nil {
		return err
	}
	f.Infof("Set %s in profile %q (%s).", opts.Key, r.Profile, r.Path)
	return nil
}

// GetOptions are the inputs of `config get`.
type GetOptions struct {
	F   *cmdutil.Factory
	Key string
}

func newGetCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &GetOptions{F: f}
	return &cobra.Command{
		Use: "get KEY", Short: "Print a setting of the profile", Args: cmdutil.ExactArgs("KEY"), ValidArgs: config.Keys,
		RunE: cmdutil.Run(func(context.Context) error { return RunGet(opts) }, &opts.Key),
	}
}

// RunGet prints one setting; the secret is never printed, only whether it is set.
func RunGet(opts *GetOptions) error {
	f := opts.F
	r, err := f.Config()
	if err != nil {
		return err
	}
	value, err := r.File.Profiles[r.Profile].Get(opts.Key)
	if err != nil {
		return cmdutil.UsageErrorf("%w", err)
	}
	switch {
	case opts.Key == "api-secret" && value != "":
		value = "(set, hidden)"
	case opts.Key == "api-url":
		value = redact.URL(value) // a password in its user info is a secret too
	}
	fmt.Fprintln(f.IOStreams.Out, value)
	return nil
}

// ListOptions are the inputs of `config list`.
type ListOptions struct{ F *cmdutil.Factory }

func newListCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &ListOptions{F: f}
	return &cobra.Command{
		Use: "list", Short: "List the profiles (secrets hidden)", Aliases: []string{"ls"}, Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return RunList(opts) },
	}
}

// RunList prints every profile with its settings, secrets hidden.
func RunList(opts *ListOptions) error {
	f := opts.F
	r, err := f.Config()
	if err != nil {
		return err
	}
	// Settings are named as everywhere else (config set, the flags, the file): api-key, not
	// apiKey. The secret is only said to be set.
	type row struct {
		Profile           string `json:"profile"`
		Current           bool   `json:"current"`
		APIKey            string `json:"api-key,omitempty"`
		APISecret         string `json:"api-secret,omitempty"`
		OrgID             string `json:"org,omitempty"`
		APIURL            string `json:"api-url,omitempty"`
		RequestTimeout    string `json:"request-timeout,omitempty"`
		AllowInsecureHTTP bool   `json:"allow-insecure-http,omitempty"`
	}
	rows := []row{}
	for _, name := range r.File.ProfileNames() {
		p := r.File.Profiles[name]
		secret := ""
		if p.APISecret != "" {
			secret = "(set, hidden)"
		}
		rows = append(rows, row{name, name == r.Profile, p.APIKey, secret, p.OrgID, redact.URL(p.APIURL),
			p.RequestTimeout, p.AllowInsecureHTTP})
	}
	return f.Print(rows, ProfilesTable)
}

// ProfilesTable is how `config list` shows the profiles: whether a secret is set, never the secret.
var ProfilesTable = output.Table{Spec: []string{"PROFILE:profile", "CURRENT:current", "API-KEY:api-key",
	"API-SECRET:api-secret", "ORG:org", "API-URL:api-url", "REQUEST-TIMEOUT:request-timeout", "ALLOW-INSECURE-HTTP:allow-insecure-http"},
	Formats: []output.Format{{Header: "CURRENT", Format: yes("*")}, {Header: "ALLOW-INSECURE-HTTP", Format: yes("true")},
		{Header: "API-SECRET", Format: func(v any) string {
			if v != nil && v != "" {
				return "set"
			}
			return "-"
		}}}}

// yes shows mark for true and nothing otherwise.
func yes(mark string) func(any) string {
	return func(v any) string {
		if v == true {
			return mark
		}
		return ""
	}
}

// UseOptions are the inputs of `config use`.
type UseOptions struct {
	F       *cmdutil.Factory
	Profile string
}

func newUseCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &UseOptions{F: f}
	return &cobra.Command{
		Use: "use PROFILE", Short: "Make a profile the one used when --profile is not given", Args: cmdutil.ExactArgs("PROFILE"),
		RunE: cmdutil.Run(func(context.Context) error { return RunUse(opts) }, &opts.Profile),
	}
}

// RunUse records the current profile in the file.
func RunUse(opts *UseOptions) error {
	f := opts.F
	r, err := f.Config()
	if err != nil {
		return err
	}
	if _, ok := r.File.Profiles[opts.Profile]; !ok {
		return cmdutil.UsageErrorf("no profile %q in %s", opts.Profile, r.Path)
	}
	r.File.CurrentProfile = opts.Profile
	if err := r.File.Save(r.Path); err != nil {
		return err
	}
	f.Infof("Using profile %q.", opts.Profile)
	return nil
}
