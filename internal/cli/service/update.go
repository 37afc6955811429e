package service

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

// UpdateOptions are the inputs of `service update`.
type UpdateOptions struct {
	F                   *cmdutil.Factory
	ServiceID           string
	Name                *string
	ReleaseChannel      *string
	AddIPs, RemoveIPs   []string
	AddTags, RemoveTags []string
}

func newUpdateCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &UpdateOptions{F: f}
	return f.Command(cmdutil.Cmd{
		Use:     "update SERVICE [flags]",
		Short:   "Change a service's name, IP access list, tags or release channel",
		Example: "  chcloud service update SERVICE --add-ip 198.51.100.7 --remove-ip 0.0.0.0/0 --add-tag team=data",
		Args:    []cmdutil.Arg{{Name: "SERVICE", Into: &opts.ServiceID}},
		Flags: func(fl *pflag.FlagSet) {
			cmdutil.Optional(fl, &opts.Name, "name", "", "new name")
			cmdutil.Optional(fl, &opts.ReleaseChannel, "release-channel", "", "release channel: slow, default or fast")
			fl.StringArrayVar(&opts.AddIPs, "add-ip", nil, "allow an IP address or CIDR (repeatable)")
			fl.StringArrayVar(&opts.RemoveIPs, "remove-ip", nil, "remove an IP address or CIDR from the access list (repeatable)")
			fl.StringArrayVar(&opts.AddTags, "add-tag", nil, "add a tag Key=Value (repeatable)")
			fl.StringArrayVar(&opts.RemoveTags, "remove-tag", nil, "remove a tag Key=Value (repeatable)")
		},
		Run: func(ctx context.Context) error { return RunUpdate(ctx, opts) },
	})
}

// RunUpdate patches the service with what the flags set.
func RunUpdate(ctx context.Context, opts *UpdateOptions) error {
	// Add or remove, when empty, is left out (omitempty) where it used to be sent as [].
	body := cloudapi.ServicePatchRequest{Name: opts.Name}
	if opts.ReleaseChannel != nil {
		body.ReleaseChannel = new(cloudapi.ServicePatchRequestReleaseChannel(*opts.ReleaseChannel))
	}
	if len(opts.AddIPs)+len(opts.RemoveIPs) > 0 {
		body.IPAccessList = &cloudapi.IPAccessListPatch{Add: ipEntries(opts.AddIPs), Remove: ipEntries(opts.RemoveIPs)}
	}
	if len(opts.AddTags)+len(opts.RemoveTags) > 0 {
		add, err := cmdutil.Tags(opts.AddTags)
		if err != nil {
			return err
		}
		remove, err := cmdutil.Tags(opts.RemoveTags)
		if err != nil {
			return err
		}
		body.Tags = &cloudapi.InstanceTagsPatch{Add: add, Remove: remove}
	}
	if body.Name == nil && body.ReleaseChannel == nil && body.IPAccessList == nil && body.Tags == nil {
		return cmdutil.UsageErrorf("nothing to change: give at least one of --name, --release-channel, --add-ip, --remove-ip, --add-tag, --remove-tag")
	}
	c, org, err := opts.F.BeginWith(ctx, opts.F.ResolveServiceArg, &opts.ServiceID)
	if err != nil {
		return err
	}
	return opts.F.Show(Table)(c.InstanceUpdateWithResponse(ctx, org, opts.ServiceID, body))
}

func ipEntries(ips []string) []cloudapi.IPAccessListEntry {
	out := make([]cloudapi.IPAccessListEntry, len(ips))
	for i, ip := range ips {
		out[i] = cloudapi.IPAccessListEntry{Source: &ip}
	}
	return out
}

// ScaleOptions are the inputs of `service scale`.
type ScaleOptions struct {
	F         *cmdutil.Factory
	ServiceID string
	Scaling
}

// Scaling is what `service create` and `service scale` may set of a service's replicas, memory
// and idle scaling; nil is "not given" (the API keeps or chooses the value).
type Scaling struct {
	MinReplicaMemoryGb, MaxReplicaMemoryGb *float64
	NumReplicas                            *int
	IdleScaling                            *bool
	IdleTimeoutMinutes                     *float64
}

func (s *Scaling) bind(fl *pflag.FlagSet) {
	cmdutil.Optional(fl, &s.MinReplicaMemoryGb, "min-replica-memory-gb", 0, "minimum memory per replica, GB")
	cmdutil.Optional(fl, &s.MaxReplicaMemoryGb, "max-replica-memory-gb", 0, "maximum memory per replica, GB")
	cmdutil.Optional(fl, &s.NumReplicas, "num-replicas", 0, "number of replicas")
	cmdutil.Optional(fl, &s.IdleScaling, "idle-scaling", true, "allow scaling to zero when idle")
	cmdutil.Optional(fl, &s.IdleTimeoutMinutes, "idle-timeout-minutes", 0, "idle time before scaling to zero (>= 5)")
}

func newScaleCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &ScaleOptions{F: f}
	return f.Command(cmdutil.Cmd{
		Use:     "scale SERVICE [flags]",
		Short:   "Change a service's replicas, memory and idle scaling",
		Example: "  chcloud service scale SERVICE --num-replicas 3 --min-replica-memory-gb 16 --max-replica-memory-gb 64",
		Args:    []cmdutil.Arg{{Name: "SERVICE", Into: &opts.ServiceID}},
		Flags:   opts.bind,
		Run:     func(ctx context.Context) error { return RunScale(ctx, opts) },
	})
}

// RunScale changes the service's scaling.
func RunScale(ctx context.Context, opts *ScaleOptions) error {
	body := cloudapi.ServiceReplicaScalingPatchRequest{
		MinReplicaMemoryGB: cmdutil.Float32(opts.MinReplicaMemoryGb),
		MaxReplicaMemoryGB: cmdutil.Float32(opts.MaxReplicaMemoryGb),
		NumReplicas:        opts.NumReplicas,
		IdleScaling:        opts.IdleScaling,
		IdleTimeoutMinutes: cmdutil.Float32(opts.IdleTimeoutMinutes),
	}
	if body == (cloudapi.ServiceReplicaScalingPatchRequest{}) {
		return cmdutil.UsageErrorf("nothing to change: give at least one of --num-replicas, --min-replica-memory-gb, --max-replica-memory-gb, --idle-scaling, --idle-timeout-minutes")
	}
	c, org, err := opts.F.BeginWith(ctx, opts.F.ResolveServiceArg, &opts.ServiceID)
	if err != nil {
		return err
	}
	return opts.F.Show(Table)(c.InstanceReplicaScalingUpdateWithResponse(ctx, org, opts.ServiceID, body))
}

// ResetPasswordOptions are the inputs of `service reset-password`.
type ResetPasswordOptions struct {
	F         *cmdutil.Factory
	ServiceID string
}

func newResetPasswordCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &ResetPasswordOptions{F: f}
	return f.Command(cmdutil.Cmd{Use: "reset-password SERVICE", Short: "Give the default user a new generated password",
		Args: []cmdutil.Arg{{Name: "SERVICE", Into: &opts.ServiceID}},
		Run:  func(ctx context.Context) error { return RunResetPassword(ctx, opts) }})
}

// RunResetPassword sets a new password and prints it once.
func RunResetPassword(ctx context.Context, opts *ResetPasswordOptions) error {
	f := opts.F
	c, org, err := opts.F.BeginWith(ctx, opts.F.ResolveServiceArg, &opts.ServiceID)
	if err != nil {
		return err
	}
	// An empty body: the API generates the password.
	result, err := cmdutil.RawResult(c.InstancePasswordUpdateWithResponse(ctx, org, opts.ServiceID, cloudapi.ServicePasswordPatchRequest{}))
	if err != nil {
		return err
	}
	if f.IsTable() && f.Output.JQ == "" {
		var answer struct {
			Password string `json:"password"`
		}
		if err := json.Unmarshal(result, &answer); err != nil {
			return fmt.Errorf("reading the new password: %w", err)
		}
		printPasswordNotice(f, answer.Password)
		return nil
	}
	return f.Print(result, output.Table{})
}

// QueryEndpointOptions are the inputs of `service query-endpoint`.
type QueryEndpointOptions struct {
	F              *cmdutil.Factory
	Action         string // get, enable or disable
	ServiceID      string
	Roles          []string
	KeyIDs         []string
	AllowedOrigins string
}

func newQueryEndpointCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.Noun("query-endpoint <command>", "Show, enable or disable a service's HTTP query endpoint")
	for _, action := range []string{"get", "enable", "disable"} {
		opts := &QueryEndpointOptions{F: f, Action: action}
		sub := cmdutil.Cmd{Use: action + " SERVICE", Args: []cmdutil.Arg{{Name: "SERVICE", Into: &opts.ServiceID}},
			Short: map[string]string{"get": "Show the query endpoint", "enable": "Enable the query endpoint", "disable": "Disable the query endpoint"}[action],
			Run:   func(ctx context.Context) error { return RunQueryEndpoint(ctx, opts) }}
		if action == "enable" {
			sub.Flags = func(fl *pflag.FlagSet) {
				fl.StringArrayVar(&opts.Roles, "role", []string{"sql_console_read_only"}, "database role the endpoint runs queries as (repeatable)")
				fl.StringArrayVar(&opts.KeyIDs, "key", nil, "API key allowed to call the endpoint: its UUID, name or key ID (repeatable, required)")
				fl.StringVar(&opts.AllowedOrigins, "allowed-origins", "", "comma separated origins allowed for browser calls")
			}
			sub.Required = []string{"key"}
		}
		cmd.AddCommand(f.Command(sub))
	}
	return cmd
}

// RunQueryEndpoint shows, enables or disables the endpoint.
func RunQueryEndpoint(ctx context.Context, opts *QueryEndpointOptions) error {
	f := opts.F
	if err := opts.F.ResolveServiceArg(ctx, &opts.ServiceID); err != nil {
		return err
	}
	// --key takes what the key commands take: a key's UUID, name or credential key ID.
	for i, k := range opts.KeyIDs {
		id, err := f.ResolveKey(ctx, k)
		if err != nil {
			return err
		}
		opts.KeyIDs[i] = id
	}
	c, org, err := f.Begin(ctx)
	if err != nil {
		return err
	}
	switch opts.Action {
	case "get":
		return f.Show(output.Table{})(c.InstanceQueryEndpointGetWithResponse(ctx, org, opts.ServiceID))
	case "enable":
		body := cloudapi.InstanceServiceQueryAPIEndpointsPostRequest{OpenAPIKeys: opts.KeyIDs}
		for _, r := range opts.Roles {
			body.Roles = append(body.Roles, cloudapi.InstanceServiceQueryAPIEndpointsPostRequestRoles(r))
		}
		if opts.AllowedOrigins != "" {
			body.AllowedOrigins = &opts.AllowedOrigins
		}
		return f.Show(output.Table{})(c.InstanceQueryEndpointUpsertWithResponse(ctx, org, opts.ServiceID, body))
	case "disable":
		if err := cloud.Check(c.InstanceQueryEndpointDeleteWithResponse(ctx, org, opts.ServiceID)); err != nil {
			return err
		}
		f.Infof("Disabled the query endpoint of service %s.", opts.ServiceID)
		return nil
	}
	return fmt.Errorf("unknown action %q", opts.Action)
}
