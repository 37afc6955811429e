// Package backup is `chcloud backup`: a service's backups and its backup schedule.
package backup

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Table is how backups look in a table.
var Table = output.Table{Spec: []string{
	"ID:id", "STATUS:status", "TYPE:type", "STARTED:startedAt", "FINISHED:finishedAt", "SIZE (BYTES):sizeInBytes"}}

// ConfigTable is how the backup configuration looks.
var ConfigTable = output.Table{Spec: []string{
	"PERIOD (HOURS):backupPeriodInHours", "RETENTION (HOURS):backupRetentionPeriodInHours", "START TIME:backupStartTime"}}

// Top is how `chcloud --help` lists `chcloud backup`.
var Top = cmdutil.Top{Use: "backup <command>", Short: "List backups and manage the backup schedule", Aliases: []string{"backups"}}

// NewCommand wires `chcloud backup`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	config := cmdutil.Top{Use: "config <command>", Short: "Show or change a service's backup schedule"}.Noun(
		cmdutil.GetOf(f, cmdutil.Cmd{Use: "get SERVICE", Short: "Show the backup schedule"}, f.ResolveServiceArg,
			ConfigTable, (*cloud.Client).BackupConfigurationGetWithResponse),
		newConfigSetCmd(f))
	cmd := Top.Noun(
		cmdutil.ListIn(f, cmdutil.Cmd{Use: "list SERVICE", Short: "List a service's backups"}, f.ResolveServiceArg,
			Table, "backups", (*cloud.Client).BackupGetListWithResponse),
		newGetCmd(f), config)
	f.TakesService(cmd)
	f.ExplainErrors(cmd)
	return cmd
}

func newGetCmd(f *cmdutil.Factory) *cobra.Command {
	var serviceID, backupID string
	return f.Command(cmdutil.Cmd{Use: "get SERVICE BACKUP_ID", Short: "Show a backup",
		Args: []cmdutil.Arg{{Name: "SERVICE", Into: &serviceID}, {Name: "BACKUP_ID", Into: &backupID}},
		Run: func(ctx context.Context) error {
			if err := f.ResolveServiceArg(ctx, &serviceID); err != nil {
				return err
			}
			c, org, err := f.Begin(ctx, cmdutil.ValidateID("backup", backupID))
			if err != nil {
				return err
			}
			return f.Show(Table)(c.BackupGetWithResponse(ctx, org, serviceID, backupID))
		}})
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
	return f.Command(cmdutil.Cmd{
		Use:     "set SERVICE [--period-hours N] [--retention-hours N] [--start-time HH:MM]",
		Short:   "Change the backup schedule",
		Example: "  chcloud backup config set SERVICE --period-hours 12 --retention-hours 72",
		Args:    []cmdutil.Arg{{Name: "SERVICE", Into: &opts.ServiceID}},
		Flags: func(fl *pflag.FlagSet) {
			cmdutil.Optional(fl, &opts.PeriodHours, "period-hours", 0, "hours between backups")
			cmdutil.Optional(fl, &opts.RetentionHours, "retention-hours", 0, "hours a backup is kept")
			cmdutil.Optional(fl, &opts.StartTime, "start-time", "", "daily start time, HH:MM (UTC)")
		},
		Run: func(ctx context.Context) error { return RunConfigSet(ctx, opts) },
	})
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
