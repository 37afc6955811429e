// Package invitation is `chcloud invitation`: pending invitations to join the organization.
package invitation

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/member"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Table is how invitations look in a table.
var Table = output.Table{Spec: []string{"ID:id", "EMAIL:email", "ROLE:", "CREATED:createdAt", "EXPIRES:expireAt"},
	Formats: []output.Format{{Header: "ROLE", Format: member.RoleNames}}}

// Top is how `chcloud --help` lists `chcloud invitation`.
var Top = cmdutil.Top{Use: "invitation <command>", Short: "Manage invitations to the organization", Aliases: []string{"invitations", "invite"}}

// NewCommand wires `chcloud invitation`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	return Top.Noun(
		cmdutil.ListOf(f, cmdutil.Cmd{Short: "List pending invitations"}, Table, "invitations", (*cloud.Client).InvitationGetListWithResponse),
		newCreateCmd(f), newDeleteCmd(f))
}

// CreateOptions are the inputs of `invitation create`.
type CreateOptions struct {
	F       *cmdutil.Factory
	Email   string
	Role    string
	RoleIDs []string
}

func newCreateCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &CreateOptions{F: f}
	cmd := &cobra.Command{
		Use:     "create --email EMAIL [--role admin|developer | --role-id ROLE_ID]",
		Short:   "Invite someone to the organization",
		Example: "  chcloud invitation create --email ana@example.com --role developer",
		Args:    cmdutil.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return RunCreate(cmd.Context(), opts) },
	}
	cmd.Flags().StringVar(&opts.Email, "email", "", "email address to invite (required)")
	member.BindRoles(cmd, &opts.Role, &opts.RoleIDs)
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

// RunCreate sends the invitation.
func RunCreate(ctx context.Context, opts *CreateOptions) error {
	//lint:ignore SA1019 --role is the legacy flag, which the API still accepts
	role, err := member.LegacyRole[cloudapi.InvitationPostRequestRole](opts.Role, opts.RoleIDs)
	if err != nil {
		return err
	}
	body := cloudapi.InvitationPostRequest{Email: &opts.Email, Role: role, AssignedRoleIDs: opts.RoleIDs}
	c, org, err := opts.F.Begin(ctx)
	if err != nil {
		return err
	}
	result, err := opts.F.CreateResult(ctx, c, cmdutil.LostCreate{
		Query: cloud.CreatedQuery{Kind: cloud.KindInvitation, OrgID: org, Name: opts.Email},
		Noun:  "invitation", List: "chcloud invitation list",
	})(c.InvitationCreateWithResponse(ctx, org, body))
	if err != nil {
		return err
	}
	return opts.F.Print(result, Table)
}

func newDeleteCmd(f *cmdutil.Factory) *cobra.Command {
	var id string
	return f.Command(cmdutil.Cmd{Use: "delete INVITATION_ID", Short: "Withdraw an invitation",
		Args: []cmdutil.Arg{{Name: "INVITATION_ID", Into: &id}}, Confirms: true,
		Run: func(ctx context.Context) error {
			c, org, err := f.Begin(ctx, cmdutil.ValidateID("invitation", id))
			if err != nil {
				return err
			}
			// An invitation has no name: its ID names it, and is what confirms.
			return f.ConfirmDelete(id, id, "! Withdrawing invitation %s: its link stops working.", "Withdrew invitation %s.",
				func() error { return cloud.Check(c.InvitationDeleteWithResponse(ctx, org, id)) })
		}})
}
