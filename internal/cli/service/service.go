// Package service is `chcloud service`: list, inspect, create, change, start, stop, wake, scale
// and delete ClickHouse services, waiting for long operations when asked.
package service

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Table is how services look in a table.
var Table = output.Table{
	Spec:    []string{"ID:id", "NAME:name", "STATE:state", "PROVIDER:provider", "REGION:region", "TAGS:tags"},
	Formats: []output.Format{{Header: "TAGS", Format: formatTags}},
	Sections: []output.Section{
		{Header: "ENDPOINTS", Path: "endpoints", Empty: "none yet",
			Spec: []string{"PROTOCOL:protocol", "HOST:host", "PORT:port", "USER:username"}},
		// An empty list lets no address in: the service cannot be reached until one is added.
		{Header: "IP ACCESS LIST", Path: "ipAccessList", Empty: "none: no address can connect ('chcloud service update SERVICE --add-ip ADDRESS')",
			Spec: []string{"SOURCE:source", "DESCRIPTION:description"}},
	}}

func formatTags(v any) string {
	list, _ := v.([]any)
	if len(list) == 0 {
		return "-"
	}
	s := ""
	for i, t := range list {
		m, _ := t.(map[string]any)
		if i > 0 {
			s += ","
		}
		s += fmt.Sprint(m["key"])
		if val, ok := m["value"]; ok && val != nil && val != "" {
			s += "=" + fmt.Sprint(val)
		}
	}
	return s
}

// Top is how `chcloud --help` lists `chcloud service`.
var Top = cmdutil.Top{Use: "service <command>", Short: "Manage ClickHouse services", Aliases: []string{"services"}}

// NewCommand wires `chcloud service` and its verbs.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	cmd := Top.Noun(newListCmd(f),
		cmdutil.GetOf(f, cmdutil.Cmd{Use: "get SERVICE", Short: "Show a service"}, f.ResolveServiceArg, Table, (*cloud.Client).InstanceGetWithResponse),
		newCreateCmd(f), newUpdateCmd(f),
		newStateCmd(f, "start"), newStateCmd(f, "stop"), newStateCmd(f, "wake"),
		newDeleteCmd(f), newWaitCmd(f), newScaleCmd(f), newResetPasswordCmd(f), newQueryEndpointCmd(f))
	cmd.Long = "Manage ClickHouse services.\n\n" + cmdutil.ServiceArgHelp
	f.TakesService(cmd)
	f.ExplainErrors(cmd)
	return cmd
}

// ListOptions are the inputs of `service list`.
type ListOptions struct {
	F    *cmdutil.Factory
	Tags []string // Key=Value, sent as repeated filter=tag:Key=Value
}

func newListCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &ListOptions{F: f}
	return f.Command(cmdutil.Cmd{
		Use:     "list",
		Short:   "List services",
		Aliases: []string{"ls"},
		Example: "  chcloud service list --tag env=prod\n  chcloud service list --jq '.[] | select(.state == \"running\") | .name'",
		Flags: func(fl *pflag.FlagSet) {
			fl.StringArrayVar(&opts.Tags, "tag", nil, "only services with this tag, Key=Value (repeatable; all must match)")
		},
		Run: func(ctx context.Context) error { return RunList(ctx, opts) },
	})
}

// RunList lists the organization's services.
func RunList(ctx context.Context, opts *ListOptions) error {
	c, org, err := opts.F.ClientAndOrg(ctx)
	if err != nil {
		return err
	}
	params := &cloudapi.InstanceGetListParams{}
	for _, t := range opts.Tags {
		if t == "" || t[0] == '=' {
			return cmdutil.UsageErrorf("invalid --tag %q: expected Key=Value", t)
		}
		params.Filter = append(params.Filter, "tag:"+t)
	}
	result, err := cmdutil.RawResult(c.InstanceGetListWithResponse(ctx, org, params))
	if err != nil {
		return err
	}
	return opts.F.PrintList(result, Table, "services")
}
