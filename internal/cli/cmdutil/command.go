package cmdutil

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Cmd is what is particular to one subcommand: its help, its positional arguments, its flags and
// its work. Command adds the wiring every command repeats, so a noun file lists only this.
type Cmd struct {
	Use, Short, Long, Example string
	Aliases                   []string
	// Args are the positional arguments, in order. Their number is checked (a usage error names
	// the missing one) and each is stored in its Into before Run.
	Args []Arg
	// Flags registers the command's own flags (Optional for those a request carries only when given).
	Flags func(fs *pflag.FlagSet)
	// Required names the flags that must be given.
	Required []string
	// Confirms adds --yes, which answers the confirmation the command asks for.
	Confirms bool
	// SecretFile, when set, adds --secret-file (see AddSecretFileFlag) stored there.
	SecretFile *string
	// Run is the work, with the command's context.
	Run func(ctx context.Context) error
}

// Arg is one positional argument: its name in usage and errors, and where it is stored.
type Arg struct {
	Name string
	Into *string
}

// Command builds the cobra command c describes.
func (f *Factory) Command(c Cmd) *cobra.Command {
	names := make([]string, len(c.Args))
	into := make([]*string, len(c.Args))
	for i, a := range c.Args {
		names[i], into[i] = a.Name, a.Into
	}
	cmd := &cobra.Command{Use: c.Use, Short: c.Short, Long: c.Long, Example: c.Example, Aliases: c.Aliases, Args: NoArgs}
	if len(names) > 0 {
		cmd.Args = ExactArgs(names...)
	}
	cmd.RunE = Run(c.Run, into...)
	if !f.MayRun(c.Use, c.Aliases) {
		// Not on this command line, so it neither runs nor shows its help: only its name and
		// summary are read (by its noun's help). Flags are most of what building a command costs
		// (pflag allocates 4 KB for each list flag), and a start touches every page it allocates.
		return cmd
	}
	if c.Flags != nil {
		c.Flags(cmd.Flags())
	}
	if c.Confirms {
		cmd.Flags().BoolVarP(&f.Yes, "yes", "y", false, "do not ask for confirmation")
	}
	if c.SecretFile != nil {
		AddSecretFileFlag(cmd, c.SecretFile)
	}
	for _, name := range c.Required {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// MayRun reports whether the command line being run (Factory.CommandLine) may run a command with
// this use line and aliases, or ask for its help: one of its arguments is the command's name or
// one of its aliases. Without a command line, every command may run. It may say yes for a flag's
// value that happens to be a name (`--profile key`); that only builds a command for nothing.
func (f *Factory) MayRun(use string, aliases []string) bool {
	if f.CommandLine == nil {
		return true
	}
	name, _, _ := strings.Cut(use, " ")
	for _, arg := range f.CommandLine {
		if arg == name || slices.Contains(aliases, arg) {
			return true
		}
	}
	return false
}

// ArgCheck checks a positional argument before any call, or replaces it in place by what it
// names (a service's name by its ID, say).
type ArgCheck func(ctx context.Context, arg *string) error

// BeginWith is Begin for a command whose argument check resolves it in place first (a service's
// name to its ID, say): check(ctx, arg), then the client and the organization.
func (f *Factory) BeginWith(ctx context.Context, check ArgCheck, arg *string) (*cloud.Client, string, error) {
	if err := check(ctx, arg); err != nil {
		return nil, "", err
	}
	return f.ClientAndOrg(ctx)
}

// UUID is the ArgCheck of an ID argument: it must be a UUID (see ValidateID).
func UUID(kind string) ArgCheck {
	return func(_ context.Context, arg *string) error { return ValidateID(kind, *arg) }
}

// Call0 and Call1 are generated calls taken as method expressions, such as
// (*cloud.Client).MemberGetListWithResponse: on the organization, or on one thing in it.
type (
	Call0[R any] = func(*cloud.Client, context.Context, string, ...cloudapi.RequestEditorFn) (R, error)
	Call1[R any] = func(*cloud.Client, context.Context, string, string, ...cloudapi.RequestEditorFn) (R, error)
)

// ListOf is a `list` command (alias ls) described by c's help that shows what call returns for
// the organization as table; an empty list says "No <plural> found".
func ListOf[R any](f *Factory, c Cmd, table output.Table, plural string, call Call0[R]) *cobra.Command {
	c.Use, c.Aliases = "list", []string{"ls"}
	return showOrg(f, c, f.ShowList(table, plural), call)
}

// ShowOf is a command without arguments, described by c, that shows what call returns for the
// organization as table.
func ShowOf[R any](f *Factory, c Cmd, table output.Table, call Call0[R]) *cobra.Command {
	return showOrg(f, c, f.Show(table), call)
}

func showOrg[R any](f *Factory, c Cmd, show func(resp any, err error) error, call Call0[R]) *cobra.Command {
	c.Run = func(ctx context.Context) error {
		client, org, err := f.Begin(ctx)
		if err != nil {
			return err
		}
		return show(call(client, ctx, org))
	}
	return f.Command(c)
}

// ListIn is a `list PARENT` command described by c (whose Use names the argument: "list
// SERVICE") that shows what call returns for the parent, once check has passed, as ListOf does.
func ListIn[R any](f *Factory, c Cmd, check ArgCheck, table output.Table, plural string, call Call1[R]) *cobra.Command {
	c.Aliases = []string{"ls"}
	return showOne(f, c, check, f.ShowList(table, plural), call)
}

// GetOf is a `get ID` command described by c (whose Use names the argument: "get USER_ID") that
// shows what call returns for the ID as table, once check has passed.
func GetOf[R any](f *Factory, c Cmd, check ArgCheck, table output.Table, call Call1[R]) *cobra.Command {
	return showOne(f, c, check, f.Show(table), call)
}

func showOne[R any](f *Factory, c Cmd, check ArgCheck, show func(resp any, err error) error, call Call1[R]) *cobra.Command {
	var arg string
	c.Args = []Arg{{argName(c.Use), &arg}}
	c.Run = func(ctx context.Context) error {
		client, org, err := f.BeginWith(ctx, check, &arg)
		if err != nil {
			return err
		}
		return show(call(client, ctx, org, arg))
	}
	return f.Command(c)
}

// DeleteOf is a `delete ID` command described by c (whose Use names the argument) that, once
// check has passed, names the thing by the name get finds (see Named), asks (warning, a format
// of that label; --yes answers), deletes it with del and says done, a format of the label.
func DeleteOf[G, D any](f *Factory, c Cmd, check ArgCheck, get Call1[G], del Call1[D], warning, done string) *cobra.Command {
	var id string
	c.Args, c.Confirms = []Arg{{argName(c.Use), &id}}, true
	c.Run = func(ctx context.Context) error {
		client, org, err := f.BeginWith(ctx, check, &id)
		if err != nil {
			return err
		}
		var thing struct{ Name string }
		if err := Lookup(&thing)(get(client, ctx, org, id)); err != nil {
			return err
		}
		label, expect := Named(id, thing.Name)
		return f.ConfirmDelete(label, expect, warning, done, func() error {
			return cloud.Check(del(client, ctx, org, id))
		})
	}
	return f.Command(c)
}

// StateOf is what WaitGone polls for the thing id names: the state field of what get returns.
func StateOf[R any](c *cloud.Client, org, id string, get Call1[R]) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		var thing struct{ State string }
		err := Lookup(&thing)(get(c, ctx, org, id))
		return thing.State, err
	}
}

// argName is the first argument a Use line names: USER_ID in "get USER_ID [flags]".
func argName(use string) string {
	return strings.Fields(use)[1]
}

// Named is how a delete's messages name a thing, `"name" (ID)` (or the ID when it has no name),
// and what the user types to confirm: the name, or the ID.
func Named(id, name string) (label, expect string) {
	if name == "" {
		return id, id
	}
	return fmt.Sprintf("%q (%s)", name, id), name
}

// ConfirmDelete asks before deleting (see Confirm; warning is a format of label), deletes with
// del, then says done, a format of label ("" says nothing, for a caller that says more).
func (f *Factory) ConfirmDelete(label, expect, warning, done string, del func() error) error {
	if err := f.Confirm(fmt.Sprintf(warning, label), expect); err != nil {
		return err
	}
	if err := del(); err != nil {
		return err
	}
	if done != "" {
		f.Infof(done, label)
	}
	return nil
}
