// Package role is `chcloud role`: the organization's system and custom roles.
package role

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/internal/cli/api"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Table is how roles look in a table.
var Table = output.Table{Spec: []string{"ID:id", "NAME:name", "TYPE:type", "ACTORS:actors", "POLICIES:policies"},
	Formats: []output.Format{{Header: "ACTORS", Format: count}, {Header: "POLICIES", Format: count}}}

func count(v any) string {
	list, _ := v.([]any)
	return fmt.Sprint(len(list))
}

// Top is how `chcloud --help` lists `chcloud role`.
var Top = cmdutil.Top{Use: "role <command>", Short: "Manage roles", Aliases: []string{"roles"}}

// NewCommand wires `chcloud role`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	return Top.Noun(
		cmdutil.ListOf(f, cmdutil.Cmd{Short: "List roles"}, Table, "roles", (*cloud.Client).OrganizationRolesGetListWithResponse),
		cmdutil.GetOf(f, cmdutil.Cmd{Use: "get ROLE_ID", Short: "Show a role with its actors and policies"}, cmdutil.UUID("role"),
			Table, (*cloud.Client).OrganizationRoleGetWithResponse),
		newCreateCmd(f), newUpdateCmd(f),
		cmdutil.DeleteOf(f, cmdutil.Cmd{Use: "delete ROLE_ID", Short: "Delete a custom role"}, cmdutil.UUID("role"),
			(*cloud.Client).OrganizationRoleGetWithResponse, (*cloud.Client).OrganizationRoleDeleteWithResponse,
			"! Deleting role %s: members and keys holding it lose its permissions at once.", "Deleted role %s."))
}

// WriteOptions are the inputs of `role create` and `role update`: a body from --file, with
// --name overriding its name.
type WriteOptions struct {
	F      *cmdutil.Factory
	RoleID string // update only
	File   string
	Name   string
	// NoValidate sends the body without checking it against the document.
	NoValidate bool
}

// body merges --file and --name and checks the result against the document.
func (opts *WriteOptions) body(ctx context.Context, operationID string) ([]byte, error) {
	fields := map[string]any{}
	if opts.File != "" {
		raw, err := opts.F.ReadJSONFile(opts.File)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, cmdutil.UsageErrorf("%s must hold a JSON object: %w", opts.File, err)
		}
	}
	if opts.Name != "" {
		fields["name"] = opts.Name
	}
	if len(fields) == 0 {
		return nil, cmdutil.UsageErrorf("nothing to send: give --file and/or --name")
	}
	body, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	if !opts.NoValidate {
		if err := api.ValidateBody(ctx, operationID, body); err != nil {
			return nil, err
		}
	}
	return body, nil
}

// newWriteCmd builds `role create` or `role update` from c: the flags they share, described
// for each by fileHelp and nameHelp.
func newWriteCmd(f *cmdutil.Factory, opts *WriteOptions, c cmdutil.Cmd, fileHelp, nameHelp string) *cobra.Command {
	c.Flags = func(fl *pflag.FlagSet) {
		fl.StringVar(&opts.File, "file", "", fileHelp)
		fl.StringVar(&opts.Name, "name", "", nameHelp)
		fl.BoolVar(&opts.NoValidate, "no-validate", false, api.NoValidateHelp)
	}
	return f.Command(c)
}

func newCreateCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &WriteOptions{F: f}
	return newWriteCmd(f, opts, cmdutil.Cmd{
		Use:   "create --file ROLE.json [--name NAME] [--no-validate]",
		Short: "Create a custom role",
		Long: `Create a custom role from a JSON file with name, actors and policies (see 'role get' of an
existing role for the shape). The body is checked against the API document before it is sent;
--no-validate skips the check and sends it as it is.

If the answer is lost on the way (the connection drops after the request was sent), the command
looks for a role of that name created since it began and shows it if there is one, or says that
none was created and running it again is safe.`,
		Run: func(ctx context.Context) error { return RunCreate(ctx, opts) },
	}, "JSON file with the role (- for stdin)", "role name (overrides the file's)")
}

// RunCreate creates the role.
func RunCreate(ctx context.Context, opts *WriteOptions) error {
	body, err := opts.body(ctx, "organizationRolePost")
	if err != nil {
		return err
	}
	c, org, err := opts.F.ClientAndOrg(ctx)
	if err != nil {
		return err
	}
	result, err := opts.F.CreateResult(ctx, c, cmdutil.LostCreate{
		Query: cloud.CreatedQuery{Kind: cloud.KindRole, OrgID: org, Name: cmdutil.NameIn(body)},
		Noun:  "role", List: "chcloud role list",
	})(c.OrganizationRolePostWithBodyWithResponse(ctx, org, cmdutil.ContentJSON, bytes.NewReader(body)))
	if err != nil {
		return err
	}
	return opts.F.Print(result, Table)
}

func newUpdateCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &WriteOptions{F: f}
	return newWriteCmd(f, opts, cmdutil.Cmd{
		Use:   "update ROLE_ID [--file CHANGES.json] [--name NAME] [--no-validate]",
		Short: "Change a custom role",
		Long: `Change a custom role: the fields of --file, and --name. The body is checked against the API
document before it is sent; --no-validate skips the check and sends it as it is.`,
		Args: []cmdutil.Arg{{Name: "ROLE_ID", Into: &opts.RoleID}},
		Run:  func(ctx context.Context) error { return RunUpdate(ctx, opts) },
	}, "JSON file with the fields to change (- for stdin)", "new name")
}

// RunUpdate patches the role.
func RunUpdate(ctx context.Context, opts *WriteOptions) error {
	if err := cmdutil.ValidateID("role", opts.RoleID); err != nil {
		return err
	}
	body, err := opts.body(ctx, "organizationRolePatch")
	if err != nil {
		return err
	}
	c, org, err := opts.F.Begin(ctx)
	if err != nil {
		return err
	}
	return opts.F.Show(Table)(c.OrganizationRolePatchWithBodyWithResponse(ctx, org, opts.RoleID, cmdutil.ContentJSON, bytes.NewReader(body)))
}
