// Package invitation is `chcloud invitation`: pending invitations to join the organization.
package invitation

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/member"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Table is how invitations look in a table.
var Table = output.Table{Columns: []output.Column{
	{Header: "ID", Path: "id"},
	{Header: "EMAIL", Path: "email"},
	{Header: "ROLE", Path: "", Format: member.RoleNames},
	{Header: "CREATED", Path: "createdAt"},
	{Header: "EXPIRES", Path: "expireAt"},
}}

// NewCommand wires `chcloud invitation`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.Noun("invitation <command>", "Manage invitations to the organization", "invitations", "invite")
	cmd.AddCommand(newListCmd(f), newCreateCmd(f), newDeleteCmd(f))
	return cmd
}

// ListOptions are the inputs of `invitation list`.
type ListOptions struct{ F *cmdutil.Factory }

func newListCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &ListOptions{F: f}
	return &cobra.Command{
		Use: "list", Short: "List pending invitations", Aliases: []string{"ls"}, Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return RunList(cmd.Context(), opts) },
	}
}

// RunList lists the invitations.
func RunList(ctx context.Context, opts *ListOptions) error {
	c, org, err := opts.F.Begin(ctx)
	if err != nil {
		return err
	}
	return opts.F.ShowList(Table, "invitations")(c.InvitationGetListWithResponse(ctx, org))
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
	cmd.Flags().StringVar(&opts.Role, "role", "", "role: admin or developer")
	cmd.Flags().StringArrayVar(&opts.RoleIDs, "role-id", nil, "ID of a role to assign (repeatable)")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

// RunCreate sends the invitation.
func RunCreate(ctx context.Context, opts *CreateOptions) error {
	body := cloudapi.InvitationPostRequest{Email: &opts.Email, AssignedRoleIDs: opts.RoleIDs}
	if opts.Role != "" {
		if err := cmdutil.OneOf("role", opts.Role, "admin", "developer"); err != nil {
			return err
		}
		//lint:ignore SA1019 --role is the legacy flag, which the API still accepts
		body.Role = new(cloudapi.InvitationPostRequestRole(opts.Role))
	}
	for _, id := range opts.RoleIDs {
		if err := cmdutil.ValidateID("role", id); err != nil {
			return err
		}
	}
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

// DeleteOptions are the inputs of `invitation delete`.
type DeleteOptions struct {
	F            *cmdutil.Factory
	InvitationID string
}

func newDeleteCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &DeleteOptions{F: f}
	cmd := &cobra.Command{
		Use: "delete INVITATION_ID", Short: "Withdraw an invitation", Args: cmdutil.ExactArgs("INVITATION_ID"),
		RunE: cmdutil.Run(func(ctx context.Context) error { return RunDelete(ctx, opts) }, &opts.InvitationID),
	}
	cmd.Flags().BoolVarP(&f.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// RunDelete withdraws the invitation after confirmation.
func RunDelete(ctx context.Context, opts *DeleteOptions) error {
	f := opts.F
	c, org, err := f.Begin(ctx, cmdutil.ValidateID("invitation", opts.InvitationID))
	if err != nil {
		return err
	}
	if err := f.Confirm(fmt.Sprintf("! Withdrawing invitation %s: its link stops working.", opts.InvitationID), opts.InvitationID); err != nil {
		return err
	}
	if err := cloud.Check(c.InvitationDeleteWithResponse(ctx, org, opts.InvitationID)); err != nil {
		return err
	}
	f.Infof("Withdrew invitation %s.", opts.InvitationID)
	return nil
}
