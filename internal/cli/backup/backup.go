// Package backup is `chcloud backup`: a service's backups and its backup schedule.
package backup

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Table is how backups look in a table.
var Table = output.Table{Columns: []output.Column{
	{Header: "ID", Path: "id"},
	{Header: "STATUS", Path: "status"},
	{Header: "TYPE", Path: "type"},
	{Header: "STARTED", Path: "startedAt"},
	{Header: "FINISHED", Path: "finishedAt"},
	{Header: "SIZE (BYTES)", Path: "sizeInBytes"},
}}

// ConfigTable is how the backup configuration looks.
var ConfigTable = output.Table{Columns: []output.Column{
	{Header: "PERIOD (HOURS)", Path: "backupPeriodInHours"},
	{Header: "RETENTION (HOURS)", Path: "backupRetentionPeriodInHours"},
	{Header: "START TIME", Path: "backupStartTime"},
}}

// NewCommand wires `chcloud backup`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.Noun("backup <command>", "List backups and manage the backup schedule", "backups")
	config := cmdutil.Noun("config <command>", "Show or change a service's backup schedule")
	config.AddCommand(newConfigGetCmd(f), newConfigSetCmd(f))
	cmd.AddCommand(newListCmd(f), newGetCmd(f), config)
	f.TakesService(cmd)
	f.ExplainErrors(cmd)
	return cmd
}

// ListOptions are the inputs of `backup list`.
type ListOptions struct {
	F         *cmdutil.Factory
	ServiceID string
}

func newListCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &ListOptions{F: f}
	return &cobra.Command{
		Use: "list SERVICE", Short: "List a service's backups", Aliases: []string{"ls"}, Args: cmdutil.ExactArgs("SERVICE"),
		RunE: cmdutil.Run(func(ctx context.Context) error { return RunList(ctx, opts) }, &opts.ServiceID),
	}
}

// RunList lists the service's backups.
func RunList(ctx context.Context, opts *ListOptions) error {
	if err := opts.F.ResolveServiceArg(ctx, &opts.ServiceID); err != nil {
		return err
	}
	c, org, err := opts.F.Begin(ctx)
	if err != nil {
		return err
	}
	return opts.F.ShowList(Table, "backups")(c.BackupGetListWithResponse(ctx, org, opts.ServiceID))
}

// GetOptions are the inputs of `backup get`.
type GetOptions struct {
	F                   *cmdutil.Factory
	ServiceID, BackupID string
}

func newGetCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &GetOptions{F: f}
	return &cobra.Command{
		Use: "get SERVICE BACKUP_ID", Short: "Show a backup", Args: cmdutil.ExactArgs("SERVICE", "BACKUP_ID"),
		RunE: cmdutil.Run(func(ctx context.Context) error { return RunGet(ctx, opts) }, &opts.ServiceID, &opts.BackupID),
	}
}

// RunGet shows one backup.
func RunGet(ctx context.Context, opts *GetOptions) error {
	if err := opts.F.ResolveServiceArg(ctx, &opts.ServiceID); err != nil {
		return err
	}
	c, org, err := opts.F.Begin(ctx, cmdutil.ValidateID("backup", opts.BackupID))
	if err != nil {
		return err
	}
	return opts.F.Show(Table)(c.BackupGetWithResponse(ctx, org, opts.ServiceID, opts.BackupID))
}

// ConfigGetOptions are the inputs of `backup config get`.
type ConfigGetOptions struct {
	F         *cmdutil.Factory
	ServiceID string
}

func newConfigGetCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &ConfigGetOptions{F: f}
	return &cobra.Command{
		Use: "get SERVICE", Short: "Show the backup schedule", Args: cmdutil.ExactArgs("SERVICE"),
		RunE: cmdutil.Run(func(ctx context.Context) error { return RunConfigGet(ctx, opts) }, &opts.ServiceID),
	}
}

// RunConfigGet shows the schedule.
func RunConfigGet(ctx context.Context, opts *ConfigGetOptions) error {
	if err := opts.F.ResolveServiceArg(ctx, &opts.ServiceID); err != nil {
		return err
	}
	c, org, err := opts.F.Begin(ctx)
	if err != nil {
		return err
	}
	return opts.F.Show(ConfigTable)(c.BackupConfigurationGetWithResponse(ctx, org, opts.ServiceID))
}

// ConfigSetOptions are the inputs of `backup config set`.
type ConfigSetOptions struct {
	F              *cmdutil.Factory
	ServiceID      string
	PeriodHours    *float64
	RetentionHours *float64
	StartTime      *string
}

func newConfigSetCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &ConfigSetOptions{F: f}
	var period, retention float64
	var start string
	cmd := &cobra.Command{
		Use:     "set SERVICE [--period-hours N] [--retention-hours N] [--start-time HH:MM]",
		Short:   "Change the backup schedule",
		Example: "  chcloud backup config set SERVICE --period-hours 12 --retention-hours 72",
		Args:    cmdutil.ExactArgs("SERVICE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ServiceID = args[0]
			opts.PeriodHours = cmdutil.IfChanged(cmd, "period-hours", period)
			opts.RetentionHours = cmdutil.IfChanged(cmd, "retention-hours", retention)
			opts.StartTime = cmdutil.IfChanged(cmd, "start-time", start)
			return RunConfigSet(cmd.Context(), opts)
		},
	}
	cmd.Flags().Float64Var(&period, "period-hours", 0, "hours between backups")
	cmd.Flags().Float64Var(&retention, "retention-hours", 0, "hours a backup is kept")
	cmd.Flags().StringVar(&start, "start-time", "", "daily start time, HH:MM (UTC)")
	return cmd
}

// RunConfigSet changes the schedule.
func RunConfigSet(ctx context.Context, opts *ConfigSetOptions) error {
	if err := opts.F.ResolveServiceArg(ctx, &opts.ServiceID); err != nil {
		return err
	}
	// The flags are float64 (as they always were); the document declares float32.
	body := cloudapi.BackupConfigurationPatchRequest{BackupStartTime: opts.StartTime}
	if h := opts.PeriodHours; h != nil {
		body.BackupPeriodInHours = new(float32(*h))
	}
	if h := opts.RetentionHours; h != nil {
		body.BackupRetentionPeriodInHours = new(float32(*h))
	}
	if body == (cloudapi.BackupConfigurationPatchRequest{}) {
		return cmdutil.UsageErrorf("nothing to change: give at least one of --period-hours, --retention-hours, --start-time")
	}
	c, org, err := opts.F.Begin(ctx)
	if err != nil {
		return err
	}
	return opts.F.Show(ConfigTable)(c.BackupConfigurationUpdateWithResponse(ctx, org, opts.ServiceID, body))
}
