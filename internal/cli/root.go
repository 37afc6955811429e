// Package cli is the chcloud command-line tool: the root command, its global flags and the
// noun/verb command tree (one package per noun under internal/cli; topcommands.go lists them, and
// a run builds only the ones its command line names). Commands are described with cmdutil.Cmd:
// those that are one generated call (list, get, delete) come from cmdutil's families (ListOf,
// GetOf, DeleteOf, ...), the others keep an Options struct and a run function. Tests call the run
// functions, or run a noun's subcommands through clitest.Env.Runner, with fake streams.
// cmd/chcloud/main.go only calls Main.
package cli

import (
	"context"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/iostreams"
	"github.com/chcloud-dev/chcloud/internal/cli/version"
)

// Main runs chcloud with the given arguments and returns the process exit code. Ctrl-C cancels
// the command's context, so a wait stops cleanly and says what is still in progress.
func Main(args []string, ios *iostreams.IOStreams, getenv func(string) string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return Run(ctx, args, &cmdutil.Factory{IOStreams: ios, Getenv: getenv})
}

// Run executes the command tree with a prepared Factory and prints any error.
func Run(ctx context.Context, args []string, f *cmdutil.Factory) int {
	root := newRootCommand(f, args)
	root.SetArgs(args)
	_, err := root.ExecuteContextC(ctx)
	// A 403 on an organization the key cannot see is worth one more request to say which
	// organization the key belongs to, whatever command met it.
	err = f.ExplainError(ctx, err)
	cmdutil.PrintError(f.IOStreams.ErrOut, err)
	return cmdutil.ExitCode(err)
}

// NewRootCommand builds the whole command tree. It only wires flags and commands: no settings are
// read and no document is parsed until a command runs, so `chcloud --help` starts fast.
func NewRootCommand(f *cmdutil.Factory) *cobra.Command { return newRootCommand(f, nil) }

// newRootCommand is NewRootCommand for one command line: the top-level commands that args does
// not name are placeholders (see topCommands); nil args builds every one.
func newRootCommand(f *cmdutil.Factory, args []string) *cobra.Command {
	root := &cobra.Command{
		Use:   "chcloud <command> <subcommand> [flags]",
		Short: "Work with the ClickHouse Cloud API from the command line",
		Long: `chcloud manages ClickHouse Cloud organizations, services, API keys, members and more.

Results print as a table on a terminal and as JSON otherwise (--output, --jq).
Credentials come from flags, then ` + cloud.EnvKeyID + ` / ` + cloud.EnvKeySecret + `
(and ` + cloud.EnvOrgID + `, ` + cloud.EnvBaseURL + `), then the profile saved by 'chcloud auth login'.

Exit codes: 0 ok, 1 API or runtime error, 2 usage or bad input, 3 findings (key audit
--fail-on), 4 authentication.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       version.String(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.Output.Validate(); err != nil {
				return cmdutil.UsageErrorf("%w", err)
			}
			return nil
		},
	}
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	root.SetVersionTemplate("{{.Version}}\n")

	pf := root.PersistentFlags()
	pf.StringVar(&f.Flags.Profile, "profile", "", "profile in the config file to use (default \"default\", or $CHCLOUD_PROFILE)")
	pf.StringVar(&f.Flags.APIKey, "api-key", "", "API key ID (overrides $"+cloud.EnvKeyID+")")
	pf.StringVar(&f.Flags.APISecret, "api-secret", "", "API key secret (prefer $"+cloud.EnvKeySecret+": flags show in the process list)")
	pf.StringVar(&f.Flags.OrgID, "org", "", "organization ID (default: $"+cloud.EnvOrgID+", the profile, or the key's organization)")
	pf.StringVar(&f.Flags.APIURL, "api-url", "", "API base URL (default: $"+cloud.EnvBaseURL+" or "+cloud.DefaultBaseURL+")")
	pf.StringVarP(&f.Output.Format, "output", "o", "", "output format: table, json or yaml (default: table on a terminal, json otherwise)")
	pf.StringVar(&f.Output.JQ, "jq", "", "filter JSON output with a jq expression")
	pf.BoolVar(&f.Debug, "debug", false, "log each HTTP request and response to stderr (secrets redacted)")
	pf.BoolVar(&f.DryRun, "dry-run", false, "print the requests that would change something instead of sending them (secrets redacted)")
	pf.DurationVar(&f.Timeout, "timeout", cmdutil.DefaultTimeout, "how long --wait waits")
	f.AddConnectionFlags(pf) // --request-timeout, --allow-insecure-http
	pf.DurationVar(&f.PollInterval, "poll-interval", 0, "how often --wait polls (default: the SDK's back-off)")
	_ = pf.MarkHidden("poll-interval")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"table", "json", "yaml"}, cobra.ShellCompDirectiveNoFileComp))

	root.AddGroup(&cobra.Group{ID: "core", Title: "Core commands"}, &cobra.Group{ID: "setup", Title: "Setup and other commands"})
	// The commands the command line names are built whole; the others are placeholders (top
	// level) or bare of flags (below it). nil args, and shell completion, build every command.
	f.CommandLine = nil // a Factory reused for another tree (tests) must not keep the last line
	if args != nil && !completing(args) {
		f.CommandLine = args
	}
	for _, t := range topCommands {
		c := t.placeholder()
		if f.MayRun(t.Use, t.Aliases) {
			c = t.build(f)
		}
		c.GroupID = t.group
		root.AddCommand(c)
	}
	root.SetCompletionCommandGroupID("setup")
	root.SetHelpCommandGroupID("setup")
	return root
}
