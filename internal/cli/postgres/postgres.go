// Package postgres is `chcloud postgres`: managed Postgres services.
package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Table is how Postgres services look in a table (never the password or connection string).
var Table = output.Table{Spec: []string{
	"ID:id", "NAME:name", "STATE:state", "PROVIDER:provider", "REGION:region", "VERSION:postgresVersion", "SIZE:size", "HA:haType"}}

// Top is how `chcloud --help` lists `chcloud postgres`.
var Top = cmdutil.Top{Use: "postgres <command>", Short: "Manage Postgres services", Aliases: []string{"pg"}}

// NewCommand wires `chcloud postgres`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	return Top.Noun(
		cmdutil.ListOf(f, cmdutil.Cmd{Short: "List Postgres services"}, Table, "Postgres services", (*cloud.Client).PostgresServiceGetListWithResponse),
		newGetCmd(f), newCreateCmd(f), newDeleteCmd(f))
}

func newGetCmd(f *cmdutil.Factory) *cobra.Command {
	var id string
	return f.Command(cmdutil.Cmd{Use: "get POSTGRES_ID", Short: "Show a Postgres service",
		Args: []cmdutil.Arg{{Name: "POSTGRES_ID", Into: &id}}, Run: func(ctx context.Context) error { return runGet(ctx, f, id) }})
}

// runGet shows one Postgres service. The table leaves out the password and connection string;
// JSON has everything the API returned.
func runGet(ctx context.Context, f *cmdutil.Factory, id string) error {
	c, org, err := f.Begin(ctx, cmdutil.ValidateID("Postgres service", id))
	if err != nil {
		return err
	}
	result, err := cmdutil.RawResult(c.PostgresServiceGetWithResponse(ctx, org, id))
	if err != nil {
		return err
	}
	return f.Print(hideSecretsInTable(f, result), Table)
}

// hideSecretsInTable drops secret fields from what a table shows (people share screenshots);
// JSON for scripts keeps them.
func hideSecretsInTable(f *cmdutil.Factory, result json.RawMessage) any {
	if !f.IsTable() || f.Output.JQ != "" {
		return result
	}
	var m map[string]any
	if json.Unmarshal(result, &m) != nil {
		return result
	}
	for _, k := range []string{"password", "connectionString"} {
		if _, ok := m[k]; ok {
			m[k] = "(hidden; see --output json)"
		}
	}
	return m
}

// CreateOptions are the inputs of `postgres create`.
type CreateOptions struct {
	F                            *cmdutil.Factory
	Name, Provider, Region, Size string
	Version, HAType              string
	Tags                         []string
	Wait                         bool
	// SecretFile is --secret-file: where the whole answer goes, so scripts keep the password.
	SecretFile string
}

func newCreateCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &CreateOptions{F: f}
	return f.Command(cmdutil.Cmd{
		Use:   "create --name NAME --provider aws --region REGION --size SIZE [flags]",
		Short: "Create a Postgres service",
		Long: `Create a Postgres service. The answer holds its password, shown only this once. --secret-file
PATH keeps the whole answer in a new file readable only by you, whatever --jq prints; when --jq or
--output leaves the password out without it, a warning on stderr says so.

If the answer is lost on the way (the connection drops after the request was sent), the command
looks for a Postgres service of that name created since it began and says whether it exists.`,
		Example: "  chcloud postgres create --name orders --provider aws --region us-east-1 --size c6gd.large --version 17 --wait\n" +
			"  chcloud postgres create --name orders --provider aws --region us-east-1 --size c6gd.large --secret-file orders.json --jq .id",
		Flags: func(fl *pflag.FlagSet) {
			fl.StringVar(&opts.Name, "name", "", "service name (required)")
			fl.StringVar(&opts.Provider, "provider", "", "cloud provider (required)")
			fl.StringVar(&opts.Region, "region", "", "region (required)")
			fl.StringVar(&opts.Size, "size", "", "VM size, e.g. c6gd.large (required)")
			fl.StringVar(&opts.Version, "version", "", "Postgres major version, e.g. 17")
			fl.StringVar(&opts.HAType, "ha-type", "", "high availability: none, async or sync")
			fl.StringArrayVar(&opts.Tags, "tag", nil, "tag Key=Value (repeatable)")
			fl.BoolVar(&opts.Wait, "wait", false, "wait until the service is running")
		},
		Required:   []string{"name", "provider", "region", "size"},
		SecretFile: &opts.SecretFile,
		Run:        func(ctx context.Context) error { return RunCreate(ctx, opts) },
	})
}

// RunCreate creates the service and optionally waits until it runs.
func RunCreate(ctx context.Context, opts *CreateOptions) error {
	f := opts.F
	body := cloudapi.PostgresServicePostRequest{Name: opts.Name, Provider: cloudapi.PgProvider(opts.Provider), Region: opts.Region, Size: cloudapi.PgSize(opts.Size)}
	if opts.Version != "" {
		body.PostgresVersion = new(cloudapi.PgVersion(opts.Version))
	}
	if opts.HAType != "" {
		if err := cmdutil.OneOf("ha-type", opts.HAType, "none", "async", "sync"); err != nil {
			return err
		}
		body.HaType = new(cloudapi.PgHaType(opts.HAType))
	}
	if len(opts.Tags) > 0 {
		tags, err := cmdutil.Tags(opts.Tags)
		if err != nil {
			return err
		}
		body.Tags = &tags
	}
	c, org, result, err := f.CreateWithSecret(ctx, opts.SecretFile, cmdutil.LostCreate{
		Query: cloud.CreatedQuery{Kind: cloud.KindPostgres, Name: opts.Name},
		Noun:  "Postgres service", List: "chcloud postgres list", Lost: "its password was",
		Fix: "set a new one with 'chcloud api postgresServiceSetPassword -p postgresId=%[1]s --raw-field password=NEW_PASSWORD', " +
			"or delete the service with 'chcloud postgres delete %[1]s'",
	}, func(c *cloud.Client, org string) (any, error) {
		return c.PostgresServiceCreateWithResponse(ctx, org, body)
	})
	if err != nil {
		return err
	}
	var created struct {
		ID       string `json:"id"`
		Password string `json:"password"`
	}
	_ = json.Unmarshal(result, &created)
	password := cmdutil.OneTimeSecret{Label: "password", Value: created.Password}
	hint := fmt.Sprintf("'chcloud api postgresServiceSetPassword -p postgresId=%s --raw-field password=NEW_PASSWORD' sets a new one.", created.ID)
	if f.IsTable() && f.Output.JQ == "" {
		if created.Password != "" {
			fmt.Fprintf(f.IOStreams.Out, "password: %s\n", created.Password)
			f.Infof("! Save this password now: it is shown only once.")
		}
	} else if !opts.Wait {
		return f.PrintCreated(result, output.Table{}, opts.SecretFile, hint, password)
	}
	if !opts.Wait || created.ID == "" {
		return f.Print(hideSecretsInTable(f, result), Table)
	}
	if !f.IsTable() {
		// Scripts get the creation answer (with the password) even if the wait is interrupted.
		if err := f.PrintCreated(result, output.Table{}, opts.SecretFile, hint, password); err != nil {
			return err
		}
	}
	pg, err := cmdutil.Wait(ctx, f, "Postgres service "+created.ID, "running", "chcloud postgres get "+created.ID,
		func(ctx context.Context, p *cmdutil.Progress) (*cloudapi.PostgresService, error) {
			return c.WaitForPostgresState(ctx, org, created.ID, []cloudapi.PgStateProperty{cloudapi.PgStatePropertyRunning}, f.WaitOptions(p)...)
		})
	if err != nil {
		return err
	}
	if f.IsTable() {
		b, _ := json.Marshal(pg)
		return f.Print(hideSecretsInTable(f, b), Table)
	}
	return nil
}

// DeleteOptions are the inputs of `postgres delete`.
type DeleteOptions struct {
	F          *cmdutil.Factory
	PostgresID string
	Wait       bool
}

func newDeleteCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &DeleteOptions{F: f}
	return f.Command(cmdutil.Cmd{Use: "delete POSTGRES_ID", Short: "Delete a Postgres service and its data",
		Args: []cmdutil.Arg{{Name: "POSTGRES_ID", Into: &opts.PostgresID}}, Confirms: true,
		Flags: func(fl *pflag.FlagSet) { fl.BoolVar(&opts.Wait, "wait", false, "wait until the service is gone") },
		Run:   func(ctx context.Context) error { return RunDelete(ctx, opts) }})
}

// RunDelete deletes the service after confirmation.
func RunDelete(ctx context.Context, opts *DeleteOptions) error {
	f := opts.F
	c, org, err := f.Begin(ctx, cmdutil.ValidateID("Postgres service", opts.PostgresID))
	if err != nil {
		return err
	}
	var pg struct{ Name string }
	if err := cmdutil.Lookup(&pg)(c.PostgresServiceGetWithResponse(ctx, org, opts.PostgresID)); err != nil {
		return err
	}
	label, expect := cmdutil.Named(opts.PostgresID, pg.Name)
	done := "Deleting Postgres service %s."
	if opts.Wait {
		done = ""
	}
	err = f.ConfirmDelete(label, expect, "! Deleting Postgres service %s deletes all its data. This cannot be undone.", done, func() error {
		return cloud.Check(c.PostgresServiceDeleteWithResponse(ctx, org, opts.PostgresID))
	})
	if err != nil || !opts.Wait {
		return err
	}
	_, err = cmdutil.Wait(ctx, f, "Postgres service "+opts.PostgresID, "deleted", "chcloud postgres get "+opts.PostgresID,
		func(ctx context.Context, p *cmdutil.Progress) (struct{}, error) {
			return struct{}{}, f.WaitGone(ctx, p, cmdutil.StateOf(c, org, opts.PostgresID, (*cloud.Client).PostgresServiceGetWithResponse))
		})
	if err != nil {
		return err
	}
	f.Infof("Deleted Postgres service %s.", label)
	return nil
}
