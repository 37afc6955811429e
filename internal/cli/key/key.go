// Package key is `chcloud key`: the API keys of the organization, matching the console's "API
// Keys" page point by point (name, last four characters, roles, state, expiry, last use).
package key

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oapi-codegen/nullable"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Table is how keys look in a table: never more of the key than its last four characters.
var Table = output.Table{
	Spec: []string{"ID:id", "NAME:name", "KEY:keySuffix", "ROLES:", "STATE:", "EXPIRES:expireAt", "LAST USED:usedAt"},
	Formats: []output.Format{{Header: "KEY", Format: suffix}, {Header: "ROLES", Format: roles},
		{Header: "STATE", Format: keyState}, {Header: "EXPIRES", Format: orNever}, {Header: "LAST USED", Format: orNever}},
	Sections: []output.Section{
		{Header: "IP ACCESS LIST", Path: "ipAccessList", Spec: []string{"SOURCE:source", "DESCRIPTION:description"}},
	}}

// suffix shows the last characters of a key as what they are: the end of something longer.
func suffix(v any) string {
	if s, ok := v.(string); ok && s != "" {
		return "…" + s
	}
	return "-"
}

// orNever shows a time that is absent (a key that never expires, or was never used) as "never".
func orNever(v any) string {
	if v == nil || v == "" {
		return "never"
	}
	return output.Scalar(v)
}

// roles prefers the assigned roles' names and falls back to the deprecated roles field.
func roles(v any) string {
	key, _ := v.(map[string]any)
	if assigned, _ := key["assignedRoles"].([]any); len(assigned) > 0 {
		names := make([]string, 0, len(assigned))
		for _, a := range assigned {
			m, _ := a.(map[string]any)
			if n, ok := m["roleName"].(string); ok && n != "" {
				names = append(names, n)
			} else {
				names = append(names, output.Scalar(m["roleId"]))
			}
		}
		return strings.Join(names, ",")
	}
	return output.Scalar(key["roles"])
}

// Top is how `chcloud --help` lists `chcloud key`.
var Top = cmdutil.Top{Use: "key <command>", Short: "Manage API keys", Aliases: []string{"keys"}}

// NewCommand wires `chcloud key`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	cmd := Top.Noun(
		cmdutil.ListOf(f, cmdutil.Cmd{Short: "List API keys"}, Table, "API keys", (*cloud.Client).OpenapiKeyGetListWithResponse),
		cmdutil.GetOf(f, cmdutil.Cmd{Use: "get KEY", Short: "Show an API key"}, f.ResolveKeyArg, Table, (*cloud.Client).OpenapiKeyGetWithResponse),
		newCreateCmd(f), newUpdateCmd(f),
		cmdutil.DeleteOf(f, cmdutil.Cmd{Use: "delete KEY", Short: "Delete an API key, permanently",
			Long: `Delete an API key. Deletion is permanent, and anything using the key loses access at once.
To stop a key temporarily, use 'chcloud key disable'. A key cannot delete itself.`},
			f.ResolveKeyArg, (*cloud.Client).OpenapiKeyGetWithResponse, (*cloud.Client).OpenapiKeyDeleteWithResponse,
			"! Deleting API key %s is permanent: anything using it loses access at once.", "Deleted API key %s."),
		newStateCmd(f, "disable"), newStateCmd(f, "enable"))
	cmd.AddCommand(beyondConsoleCommands(f)...)
	cmd.Long = "Manage API keys.\n\n" + cmdutil.KeyIDHelp
	for _, sub := range cmd.Commands() {
		if strings.Contains(sub.Use, " KEY") {
			sub.ValidArgsFunction = f.CompleteKeys
			if sub.Long == "" {
				sub.Long = sub.Short + "."
			}
			sub.Long += "\n\n" + cmdutil.KeyIDHelp
		}
	}
	f.ExplainErrors(cmd)
	return cmd
}

// Fields are the settings `key create` and `key update` share; nil means "not given".
type Fields struct {
	Name    *string
	Roles   []string // legacy roles: admin, developer
	RoleIDs []string // assignedRoleIds
	Expires *string  // a date, an RFC 3339 time, a duration such as 90d, or "never"
	IPAllow []string
}

func (fl *Fields) bind(fs *pflag.FlagSet) {
	cmdutil.Optional(fs, &fl.Name, "name", "", "key name")
	fs.StringArrayVar(&fl.Roles, "role", nil, "role: admin or developer (repeatable)")
	fs.StringArrayVar(&fl.RoleIDs, "role-id", nil, "ID of a custom or system role to assign (repeatable)")
	cmdutil.Optional(fs, &fl.Expires, "expires", "", "expiry: a date (2026-12-31), an RFC 3339 time, a duration (90d, 720h), or never")
	fs.StringArrayVar(&fl.IPAllow, "ip-allow", nil, "IP address or CIDR allowed to use the key (repeatable; replaces the list)")
}

// request is what the flags set, in the generated request types' terms: create and update send
// the same fields, so a field renamed in the document breaks the build here.
type request struct {
	name     *string
	roles    []string
	roleIDs  []string
	expireAt nullable.Nullable[time.Time] // unset, null (never expires) or a time
	ips      []cloudapi.IPAccessListEntry
}

func (fl *Fields) request(now time.Time) (request, error) {
	r := request{name: fl.Name, roles: fl.Roles, roleIDs: fl.RoleIDs}
	for _, role := range fl.Roles {
		if err := cmdutil.OneOf("role", role, "admin", "developer"); err != nil {
			return r, err
		}
	}
	for _, id := range fl.RoleIDs {
		if err := cmdutil.ValidateID("role", id); err != nil {
			return r, err
		}
	}
	if fl.Expires != nil {
		exp, err := ParseExpiry(*fl.Expires, now)
		if err != nil {
			return r, err
		}
		if exp.IsZero() {
			r.expireAt.SetNull()
		} else {
			r.expireAt.Set(exp.UTC().Truncate(time.Second))
		}
	}
	for _, ip := range fl.IPAllow {
		r.ips = append(r.ips, cloudapi.IPAccessListEntry{Source: &ip})
	}
	return r, nil
}

// empty reports whether the flags set nothing.
func (r request) empty() bool {
	return r.name == nil && len(r.roles) == 0 && len(r.roleIDs) == 0 && !r.expireAt.IsSpecified() && len(r.ips) == 0
}

func (r request) post() cloudapi.APIKeyPostRequest {
	body := cloudapi.APIKeyPostRequest{Name: r.name, AssignedRoleIDs: r.roleIDs, ExpireAt: r.expireAt, IPAccessList: r.ips}
	for _, role := range r.roles {
		body.Roles = append(body.Roles, cloudapi.APIKeyPostRequestRoles(role))
	}
	return body
}

func (r request) patch() cloudapi.APIKeyPatchRequest {
	body := cloudapi.APIKeyPatchRequest{Name: r.name, AssignedRoleIDs: r.roleIDs, ExpireAt: r.expireAt, IPAccessList: r.ips}
	for _, role := range r.roles {
		body.Roles = append(body.Roles, cloudapi.APIKeyPatchRequestRoles(role))
	}
	return body
}

// ParseExpiry reads --expires: "never" (zero time), a date, an RFC 3339 time, or a duration from
// now in days (90d) or Go units (720h).
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "never" || s == "":
		return time.Time{}, nil
	case strings.HasSuffix(s, "d"):
		if days, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil && days > 0 {
			return now.AddDate(0, 0, days), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, cmdutil.UsageErrorf("invalid --expires %q: use a date (2026-12-31), an RFC 3339 time, a duration (90d, 720h) or never", s)
}

// CreateOptions are the inputs of `key create`.
type CreateOptions struct {
	F *cmdutil.Factory
	Fields
	Now func() time.Time
	// SecretFile is --secret-file: where the whole answer goes, so scripts keep the secret.
	SecretFile string
}

func newCreateCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &CreateOptions{F: f, Now: time.Now}
	return f.Command(cmdutil.Cmd{
		Use:   "create --name NAME [--role admin|developer] [--expires 90d] [flags]",
		Short: "Create an API key",
		Long: `Create an API key. Its ID and secret are printed once: store them now, they cannot be shown again.
A key works only with both.

On a terminal they are printed with a warning; otherwise as JSON ({"keyId", "keySecret", "key"})
for scripts. --secret-file PATH keeps the whole answer in a new file readable only by you,
whatever --jq prints; when --jq or --output leaves the key ID or secret out without it, a
warning on stderr says so.

If the answer is lost on the way (the connection drops after the request was sent), the command
looks for a key of that name created since it began and says whether it exists: its secret is
then lost, and it must be deleted and created again.`,
		Example: "  chcloud key create --name ci --role developer --expires 90d\n" +
			"  chcloud key create --name deploy --role admin --expires 30d --secret-file deploy-key.json --jq .key.id",
		Flags:      opts.bind,
		SecretFile: &opts.SecretFile,
		Required:   []string{"name"},
		Run:        func(ctx context.Context) error { return RunCreate(ctx, opts) },
	})
}

// RunCreate creates the key and prints its ID and secret, once.
func RunCreate(ctx context.Context, opts *CreateOptions) error {
	f := opts.F
	req, err := opts.request(opts.Now())
	if err != nil {
		return err
	}
	if len(req.roles) == 0 && len(req.roleIDs) == 0 {
		return cmdutil.UsageErrorf("give the key a role: --role admin|developer or --role-id ROLE_ID")
	}
	name := ""
	if req.name != nil {
		name = *req.name
	}
	_, _, result, err := f.CreateWithSecret(ctx, opts.SecretFile, cmdutil.LostCreate{
		Query: cloud.CreatedQuery{Kind: cloud.KindKey, Name: name},
		Noun:  "API key", List: "chcloud key list", Lost: "its key ID and secret were",
		Fix: "delete it with 'chcloud key delete %[1]s --yes' and create it again, with --secret-file PATH in a script",
	}, func(c *cloud.Client, org string) (any, error) {
		return c.OpenapiKeyCreateWithResponse(ctx, org, req.post())
	})
	if err != nil {
		return err
	}
	var created struct {
		KeyID     string          `json:"keyId"`
		KeySecret string          `json:"keySecret"`
		Key       json.RawMessage `json:"key"`
	}
	if err := json.Unmarshal(result, &created); err != nil {
		return fmt.Errorf("reading the created key: %w", err)
	}
	var key struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	_ = json.Unmarshal(created.Key, &key)
	if !f.IsTable() || f.Output.JQ != "" {
		return f.PrintCreated(result, output.Table{}, opts.SecretFile,
			fmt.Sprintf("The key works only with both: delete it with 'chcloud key delete %s --yes' and create it again.", key.ID),
			cmdutil.OneTimeSecret{Label: "key ID", Value: created.KeyID},
			cmdutil.OneTimeSecret{Label: "key secret", Value: created.KeySecret})
	}
	out := f.IOStreams.Out
	fmt.Fprintf(out, "Created API key %q (%s).\n\n", key.Name, key.ID)
	fmt.Fprintf(out, "  Key ID:     %s\n", created.KeyID)
	fmt.Fprintf(out, "  Key secret: %s\n\n", created.KeySecret)
	fmt.Fprintln(out, "! Store the key ID and secret now: the secret cannot be shown again.")
	fmt.Fprintf(out, "  Use them as %s and %s.\n", cloud.EnvKeyID, cloud.EnvKeySecret)
	return nil
}

// UpdateOptions are the inputs of `key update`.
type UpdateOptions struct {
	F     *cmdutil.Factory
	KeyID string
	Fields
	Now func() time.Time
}

func newUpdateCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &UpdateOptions{F: f, Now: time.Now}
	return f.Command(cmdutil.Cmd{
		Use:     "update KEY [flags]",
		Short:   "Change an API key's name, roles, expiry or IP access list",
		Example: "  chcloud key update KEY --expires 2027-01-31 --ip-allow 203.0.113.0/24",
		Args:    []cmdutil.Arg{{Name: "KEY", Into: &opts.KeyID}},
		Flags:   opts.bind,
		Run:     func(ctx context.Context) error { return RunUpdate(ctx, opts) },
	})
}

// RunUpdate patches the key with what the flags set.
func RunUpdate(ctx context.Context, opts *UpdateOptions) error {
	req, err := opts.request(opts.Now())
	if err != nil {
		return err
	}
	if req.empty() {
		return cmdutil.UsageErrorf("nothing to change: give at least one of --name, --role, --role-id, --expires, --ip-allow")
	}
	if err := opts.F.ResolveKeyArg(ctx, &opts.KeyID); err != nil {
		return err
	}
	return patch(ctx, opts.F, opts.KeyID, req.patch())
}

func patch(ctx context.Context, f *cmdutil.Factory, keyID string, body cloudapi.APIKeyPatchRequest) error {
	c, org, err := f.ClientAndOrg(ctx)
	if err != nil {
		return err
	}
	return f.Show(Table)(c.OpenapiKeyUpdateWithResponse(ctx, org, keyID, body))
}

// StateOptions are the inputs of `key disable` and `key enable`.
type StateOptions struct {
	F      *cmdutil.Factory
	KeyID  string
	Enable bool
}

func newStateCmd(f *cmdutil.Factory, action string) *cobra.Command {
	opts := &StateOptions{F: f, Enable: action == "enable"}
	short := "Disable an API key (requests with it fail until it is enabled again)"
	if opts.Enable {
		short = "Enable a disabled API key"
	}
	cmd := &cobra.Command{
		Use: action + " KEY", Short: short, Args: cmdutil.ExactArgs("KEY"),
		RunE: cmdutil.Run(func(ctx context.Context) error { return RunState(ctx, opts) }, &opts.KeyID),
	}
	if !opts.Enable {
		cmd.Long = short + ".\nDisabling the key chcloud itself is using asks for confirmation first (--yes skips it)."
		cmd.Flags().BoolVarP(&f.Yes, "yes", "y", false, "do not ask for confirmation when disabling the key in use")
	}
	return cmd
}

// RunState enables or disables the key. Disabling the key this very command runs with would
// lock chcloud out (every later call answers 401 until another admin key or the console enables
// it again), so that asks for confirmation.
func RunState(ctx context.Context, opts *StateOptions) error {
	if err := opts.F.ResolveKeyArg(ctx, &opts.KeyID); err != nil {
		return err
	}
	state := cloudapi.APIKeyPatchRequestState("disabled")
	if opts.Enable {
		state = "enabled"
	} else if err := confirmIfInUse(ctx, opts.F, opts.KeyID); err != nil {
		return err
	}
	return patch(ctx, opts.F, opts.KeyID, cloudapi.APIKeyPatchRequest{State: &state})
}

// confirmIfInUse asks before disabling the key chcloud is using. The API shows only the last four
// characters of a key's key ID (keySuffix), which is how the key in use is recognised: a false
// match costs a question, a missed one a locked-out CLI.
func confirmIfInUse(ctx context.Context, f *cmdutil.Factory, keyID string) error {
	r, err := f.Config()
	if err != nil {
		return err
	}
	keyIDInUse := r.KeyID.Value
	c, org, err := f.ClientAndOrg(ctx)
	if err != nil {
		return err
	}
	var key struct {
		Name      string `json:"name"`
		KeySuffix string `json:"keySuffix"`
	}
	if err := cmdutil.Lookup(&key)(c.OpenapiKeyGetWithResponse(ctx, org, keyID)); err != nil {
		return err
	}
	inUse := key.KeySuffix != "" && len(keyIDInUse) > len(key.KeySuffix) && strings.HasSuffix(keyIDInUse, key.KeySuffix)
	if !inUse {
		return nil
	}
	expect := keyID
	if key.Name != "" {
		expect = key.Name
	}
	return f.Confirm(fmt.Sprintf("! API key %q (%s) is the key chcloud is using now: once it is disabled, every call with it "+
		"answers 401 until another admin key or the ClickHouse Cloud console enables it again.", key.Name, keyID), expect)
}

// keyState is a key's state as the table shows it: the API lists an expired key as enabled
// (the document allows only enabled and disabled), yet it is refused with 401 "Key is not
// active", so the table says "expired" too.
func keyState(row any) string {
	m, _ := row.(map[string]any)
	state, _ := m["state"].(string)
	if state == "" {
		state = "-"
	}
	if at, ok := m["expireAt"].(string); ok && at != "" {
		if t, err := time.Parse(time.RFC3339Nano, at); err == nil && t.Before(time.Now()) {
			return state + " (expired)"
		}
	}
	return state
}
