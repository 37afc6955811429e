// Package member is `chcloud member`: the people in the organization and their roles.
package member

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Table is how members look in a table.
var Table = output.Table{Spec: []string{"USER ID:userId", "NAME:name", "EMAIL:email", "ROLE:", "JOINED:joinedAt"},
	Formats: []output.Format{{Header: "ROLE", Format: RoleNames}}}

// RoleNames shows assigned roles by name, falling back to the legacy role field.
func RoleNames(v any) string {
	m, _ := v.(map[string]any)
	if assigned, _ := m["assignedRoles"].([]any); len(assigned) > 0 {
		s := ""
		for i, a := range assigned {
			r, _ := a.(map[string]any)
			if i > 0 {
				s += ","
			}
			if name, ok := r["roleName"].(string); ok && name != "" {
				s += name
			} else {
				s += output.Scalar(r["roleId"])
			}
		}
		return s
	}
	return output.Scalar(m["role"])
}

// Top is how `chcloud --help` lists `chcloud member`.
var Top = cmdutil.Top{Use: "member <command>", Short: "Manage organization members", Aliases: []string{"members"}}

// NewCommand wires `chcloud member`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	return Top.Noun(
		cmdutil.ListOf(f, cmdutil.Cmd{Short: "List members"}, Table, "members", (*cloud.Client).MemberGetListWithResponse),
		cmdutil.GetOf(f, cmdutil.Cmd{Use: "get USER_ID", Short: "Show a member"}, cmdutil.UUID("user"), Table, (*cloud.Client).MemberGetWithResponse),
		newUpdateCmd(f), newDeleteCmd(f))
}

// UpdateOptions are the inputs of `member update`.
type UpdateOptions struct {
	F       *cmdutil.Factory
	UserID  string
	Role    string   // admin or developer (legacy)
	RoleIDs []string // assignedRoleIds
}

func newUpdateCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &UpdateOptions{F: f}
	cmd := &cobra.Command{
		Use:   "update USER_ID --role admin|developer | --role-id ROLE_ID...",
		Short: "Change a member's role",
		Long:  "Change a member's role. The API may keep showing the old role for about 30 seconds.",
		Args:  cmdutil.ExactArgs("USER_ID"),
		RunE:  cmdutil.Run(func(ctx context.Context) error { return RunUpdate(ctx, opts) }, &opts.UserID),
	}
	BindRoles(cmd, &opts.Role, &opts.RoleIDs)
	return cmd
}

// BindRoles adds the flags that give a member's roles (`member update`, `invitation create`):
// --role, the legacy role, and --role-id, the IDs of the roles to assign.
func BindRoles(cmd *cobra.Command, role *string, roleIDs *[]string) {
	cmd.Flags().StringVar(role, "role", "", "role: admin or developer")
	cmd.Flags().StringArrayVar(roleIDs, "role-id", nil, "ID of a role to assign (repeatable)")
}

// LegacyRole checks --role and --role-id and returns --role as the request's type T, nil when it
// was not given. (An empty list of role IDs stays out of a body too: the field is omitempty.)
func LegacyRole[T ~string](role string, roleIDs []string) (*T, error) {
	var legacy *T
	if role != "" {
		if err := cmdutil.OneOf("role", role, "admin", "developer"); err != nil {
			return nil, err
		}
		legacy = new(T(role))
	}
	for _, id := range roleIDs {
		if err := cmdutil.ValidateID("role", id); err != nil {
			return nil, err
		}
	}
	return legacy, nil
}

// RunUpdate changes the member's role.
func RunUpdate(ctx context.Context, opts *UpdateOptions) error {
	if err := cmdutil.ValidateID("user", opts.UserID); err != nil {
		return err
	}
	//lint:ignore SA1019 --role is the legacy flag, which the API still accepts
	role, err := LegacyRole[cloudapi.MemberPatchRequestRole](opts.Role, opts.RoleIDs)
	if err != nil {
		return err
	}
	if role == nil && len(opts.RoleIDs) == 0 {
		return cmdutil.UsageErrorf("nothing to change: give --role or --role-id")
	}
	body := cloudapi.MemberPatchRequest{Role: role, AssignedRoleIDs: opts.RoleIDs}
	c, org, err := opts.F.Begin(ctx)
	if err != nil {
		return err
	}
	return opts.F.Show(Table)(c.MemberUpdateWithResponse(ctx, org, opts.UserID, body))
}

func newDeleteCmd(f *cmdutil.Factory) *cobra.Command {
	var id string
	return f.Command(cmdutil.Cmd{Use: "delete USER_ID", Short: "Remove a member from the organization",
		Args: []cmdutil.Arg{{Name: "USER_ID", Into: &id}}, Confirms: true,
		Run: func(ctx context.Context) error { return runDelete(ctx, f, id) }})
}

// runDelete removes the member after confirmation, naming them by email.
func runDelete(ctx context.Context, f *cmdutil.Factory, id string) error {
	c, org, err := f.Begin(ctx, cmdutil.ValidateID("user", id))
	if err != nil {
		return err
	}
	var m struct{ Email string }
	if err := cmdutil.Lookup(&m)(c.MemberGetWithResponse(ctx, org, id)); err != nil {
		return err
	}
	label, expect := id, id
	if m.Email != "" {
		label, expect = fmt.Sprintf("%s (%s)", m.Email, id), m.Email
	}
	return f.ConfirmDelete(label, expect, "! Removing %s from the organization: they lose access at once.", "Removed member %s.",
		func() error { return cloud.Check(c.MemberDeleteWithResponse(ctx, org, id)) })
}
