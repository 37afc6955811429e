// Package org is `chcloud org`: the organization the key belongs to, its activity log and its
// usage costs.
package org

import (
	"context"
	"encoding/json"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/output"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

// Table is how the organization looks.
var Table = output.Table{Spec: []string{"ID:id", "NAME:name", "CREATED:createdAt"}}

// ActivityTable is how activities look in a table.
var ActivityTable = output.Table{Spec: []string{
	"TIME:createdAt", "TYPE:type", "ACTOR:actorDetails", "SERVICE:serviceId", "ID:id"}}

// UsageTable is how usage cost records look in a table.
var UsageTable = output.Table{Spec: []string{
	"DATE:date", "ENTITY:entityName", "TYPE:entityType", "CHC:totalCHC"}}

// Top is how `chcloud --help` lists `chcloud org`.
var Top = cmdutil.Top{Use: "org <command>", Short: "Show and change the organization", Aliases: []string{"organization"}}

// NewCommand wires `chcloud org`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	return Top.Noun(
		cmdutil.ShowOf(f, cmdutil.Cmd{Use: "get", Short: "Show the organization"}, Table, (*cloud.Client).OrganizationGetWithResponse),
		newUpdateCmd(f), newActivitiesCmd(f), newUsageCmd(f))
}

func newUpdateCmd(f *cmdutil.Factory) *cobra.Command {
	var name string
	return f.Command(cmdutil.Cmd{Use: "update --name NAME", Short: "Rename the organization",
		Flags:    func(fl *pflag.FlagSet) { fl.StringVar(&name, "name", "", "new name (required)") },
		Required: []string{"name"},
		Run: func(ctx context.Context) error {
			if name == "" {
				return cmdutil.UsageErrorf("--name must not be empty")
			}
			c, org, err := f.Begin(ctx)
			if err != nil {
				return err
			}
			return f.Show(Table)(c.OrganizationUpdateWithResponse(ctx, org, cloudapi.OrganizationPatchRequest{Name: &name}))
		}})
}

// ActivitiesOptions are the inputs of `org activities`.
type ActivitiesOptions struct {
	F        *cmdutil.Factory
	From, To string // RFC 3339 times or dates; empty means unbounded
}

func newActivitiesCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &ActivitiesOptions{F: f}
	return f.Command(cmdutil.Cmd{Use: "activities [--from TIME] [--to TIME]", Short: "Show the organization's audit log",
		Aliases: []string{"activity"},
		Flags: func(fl *pflag.FlagSet) {
			fl.StringVar(&opts.From, "from", "", "start: a date (2026-11-01) or an RFC 3339 time")
			fl.StringVar(&opts.To, "to", "", "end: a date or an RFC 3339 time")
		},
		Run: func(ctx context.Context) error { return RunActivities(ctx, opts) }})
}

// RunActivities lists the activities in the range.
func RunActivities(ctx context.Context, opts *ActivitiesOptions) error {
	params := &cloudapi.ActivityGetListParams{}
	for _, p := range []struct {
		flag, value string
		dst         **time.Time
	}{{"from", opts.From, &params.FromDate}, {"to", opts.To, &params.ToDate}} {
		if p.value == "" {
			continue
		}
		t, err := parseTime(p.value)
		if err != nil {
			return cmdutil.UsageErrorf("invalid --%s %q: use a date (2026-11-01) or an RFC 3339 time", p.flag, p.value)
		}
		*p.dst = &t
	}
	c, org, err := opts.F.Begin(ctx)
	if err != nil {
		return err
	}
	return opts.F.ShowList(ActivityTable, "activities")(c.ActivityGetListWithResponse(ctx, org, params))
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

// UsageOptions are the inputs of `org usage`.
type UsageOptions struct {
	F        *cmdutil.Factory
	From, To string // dates; default: the last 30 days
	Tags     []string
	Now      func() time.Time
}

func newUsageCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &UsageOptions{F: f, Now: time.Now}
	return f.Command(cmdutil.Cmd{Use: "usage [--from DATE] [--to DATE]", Short: "Show usage costs (at most 31 days)",
		Aliases: []string{"cost"},
		Flags: func(fl *pflag.FlagSet) {
			fl.StringVar(&opts.From, "from", "", "first day, e.g. 2026-11-01 (default: 30 days before --to)")
			fl.StringVar(&opts.To, "to", "", "last day, inclusive (default: today)")
			fl.StringArrayVar(&opts.Tags, "tag", nil, "only resources with this tag, Key=Value (repeatable)")
		},
		Run: func(ctx context.Context) error { return RunUsage(ctx, opts) }})
}

// RunUsage prints the cost report; the table shows one line per entity and day.
func RunUsage(ctx context.Context, opts *UsageOptions) error {
	to := opts.Now().UTC()
	if opts.To != "" {
		t, err := time.Parse(time.DateOnly, opts.To)
		if err != nil {
			return cmdutil.UsageErrorf("invalid --to %q: use a date such as 2026-11-30", opts.To)
		}
		to = t
	}
	from := to.AddDate(0, 0, -30)
	if opts.From != "" {
		t, err := time.Parse(time.DateOnly, opts.From)
		if err != nil {
			return cmdutil.UsageErrorf("invalid --from %q: use a date such as 2026-11-01", opts.From)
		}
		from = t
	}
	if from.After(to) || to.Sub(from) > 30*24*time.Hour {
		return cmdutil.UsageErrorf("--from must be before --to and at most 30 days earlier (the API reports up to 31 days)")
	}
	params := &cloudapi.UsageCostGetParams{FromDate: openapi_types.Date{Time: from}, ToDate: openapi_types.Date{Time: to}}
	for _, t := range opts.Tags {
		params.Filter = append(params.Filter, "tag:"+t)
	}
	c, org, err := opts.F.ClientAndOrg(ctx)
	if err != nil {
		return err
	}
	result, err := cmdutil.RawResult(c.UsageCostGetWithResponse(ctx, org, params))
	if err != nil {
		return err
	}
	f := opts.F
	if f.IsTable() && f.Output.JQ == "" {
		var report struct {
			GrandTotalCHC any `json:"grandTotalCHC"`
			Costs         any `json:"costs"`
		}
		if err := json.Unmarshal(result, &report); err == nil {
			if err := f.Print(report.Costs, UsageTable); err != nil {
				return err
			}
			f.Infof("Total: %s CHC (%s to %s)", output.Scalar(report.GrandTotalCHC), from.Format(time.DateOnly), to.Format(time.DateOnly))
			return nil
		}
	}
	return f.Print(result, output.Table{})
}
