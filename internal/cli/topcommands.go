package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/internal/cli/api"
	"github.com/chcloud-dev/chcloud/internal/cli/auth"
	"github.com/chcloud-dev/chcloud/internal/cli/backup"
	"github.com/chcloud-dev/chcloud/internal/cli/clickpipe"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/configcmd"
	"github.com/chcloud-dev/chcloud/internal/cli/invitation"
	"github.com/chcloud-dev/chcloud/internal/cli/key"
	"github.com/chcloud-dev/chcloud/internal/cli/member"
	"github.com/chcloud-dev/chcloud/internal/cli/mockcmd"
	"github.com/chcloud-dev/chcloud/internal/cli/org"
	"github.com/chcloud-dev/chcloud/internal/cli/postgres"
	"github.com/chcloud-dev/chcloud/internal/cli/role"
	"github.com/chcloud-dev/chcloud/internal/cli/service"
	"github.com/chcloud-dev/chcloud/internal/cli/speccmd"
	"github.com/chcloud-dev/chcloud/internal/cli/version"
)

// topCommand is a top-level command: what `chcloud --help` shows of it (its package's Top, declared
// there once and used by its NewCommand too), its group, and how to build it.
//
// A run builds only the subtrees its command line names. Building all of them (about 150
// commands with their flags) was a fifth of the page faults of every start, `chcloud version`
// included; the others are placeholders that carry what the root's help and suggestions read.
// TestTopCommandsMatchWhatTheyBuild checks that each NewCommand builds what its Top says.
type topCommand struct {
	cmdutil.Top
	group string // "core" or "setup"
	build func(*cmdutil.Factory) *cobra.Command
}

var topCommands = []topCommand{
	{org.Top, "core", org.NewCommand},
	{service.Top, "core", service.NewCommand},
	{backup.Top, "core", backup.NewCommand},
	{key.Top, "core", key.NewCommand},
	{member.Top, "core", member.NewCommand},
	{invitation.Top, "core", invitation.NewCommand},
	{role.Top, "core", role.NewCommand},
	{clickpipe.Top, "core", clickpipe.NewCommand},
	{postgres.Top, "core", postgres.NewCommand},
	{api.Top, "core", api.NewCommand},
	{auth.Top, "setup", auth.NewCommand},
	{configcmd.Top, "setup", configcmd.NewCommand},
	{version.Top, "setup", version.NewCommand},
	{mockcmd.Top, "setup", mockcmd.NewCommand},
	{speccmd.Top, "setup", speccmd.NewCommand},
}

// name is the command's name, the first word of use.
func (t topCommand) name() string {
	name, _, _ := strings.Cut(t.Use, " ")
	return name
}

// placeholder stands in for the command in a run that does not name it. It is listed by the
// root's help and found by suggestions; it never runs, since a command line that could reach it
// names it and gets the real command.
func (t topCommand) placeholder() *cobra.Command {
	return &cobra.Command{
		Use: t.Use, Short: t.Short, Aliases: t.Aliases,
		RunE: func(*cobra.Command, []string) error {
			return fmt.Errorf("internal error: %q ran as a placeholder; please report this", t.name())
		},
	}
}

// completing reports whether the command line is shell completion (which may complete inside any
// subtree) or writes a completion script; such runs build every command.
func completing(args []string) bool {
	for _, arg := range args {
		if arg == cobra.ShellCompRequestCmd || arg == cobra.ShellCompNoDescRequestCmd || arg == "completion" {
			return true
		}
	}
	return false
}
