package cli

import (
	"fmt"
	"slices"
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

// topCommand is a top-level command: what `chcloud --help` shows of it, and how to build it.
//
// A run builds only the subtrees its command line names. Building all of them (about 150
// commands with their flags) was a fifth of the page faults of every start, `chcloud version`
// included; the others are placeholders that carry what the root's help and suggestions read.
// TestTopCommandsMatchWhatTheyBuild keeps use, short and aliases equal to the built command's.
type topCommand struct {
	use, short string
	aliases    []string
	group      string // "core" or "setup"
	build      func(*cmdutil.Factory) *cobra.Command
}

var topCommands = []topCommand{
	{"org <command>", "Show and change the organization", []string{"organization"}, "core", org.NewCommand},
	{"service <command>", "Manage ClickHouse services", []string{"services"}, "core", service.NewCommand},
	{"backup <command>", "List backups and manage the backup schedule", []string{"backups"}, "core", backup.NewCommand},
	{"key <command>", "Manage API keys", []string{"keys"}, "core", key.NewCommand},
	{"member <command>", "Manage organization members", []string{"members"}, "core", member.NewCommand},
	{"invitation <command>", "Manage invitations to the organization", []string{"invitations", "invite"}, "core", invitation.NewCommand},
	{"role <command>", "Manage roles", []string{"roles"}, "core", role.NewCommand},
	{"clickpipe <command>", "Manage a service's ClickPipes", []string{"clickpipes", "pipe"}, "core", clickpipe.NewCommand},
	{"postgres <command>", "Manage Postgres services", []string{"pg"}, "core", postgres.NewCommand},
	{"api {OPERATION_ID | METHOD PATH} [flags]", "Call any API operation", nil, "core", api.NewCommand},
	{"auth <command>", "Log in, check and log out API credentials", nil, "setup", auth.NewCommand},
	{"config <command>", "Read and change settings in the config file", nil, "setup", configcmd.NewCommand},
	{"version", "Show the chcloud version and the API document it embeds", nil, "setup", version.NewCommand},
	{"mock", "Run a fake ClickHouse Cloud API server for tests and demos", nil, "setup", mockcmd.NewCommand},
	{"spec", "Fetch and compare the published OpenAPI document", nil, "setup", speccmd.NewCommand},
}

// name is the command's name, the first word of use.
func (t topCommand) name() string {
	name, _, _ := strings.Cut(t.use, " ")
	return name
}

// namedIn reports whether a command line may run this command or ask for its help: one of its
// arguments is the command's name or an alias. It may say yes for a flag's value that happens to
// be a name (`--profile key`); that only builds a subtree for nothing.
func (t topCommand) namedIn(args []string) bool {
	for _, arg := range args {
		if arg == t.name() || slices.Contains(t.aliases, arg) {
			return true
		}
	}
	return false
}

// placeholder stands in for the command in a run that does not name it. It is listed by the
// root's help and found by suggestions; it never runs, since a command line that could reach it
// names it and gets the real command.
func (t topCommand) placeholder() *cobra.Command {
	return &cobra.Command{
		Use: t.use, Short: t.short, Aliases: t.aliases,
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
