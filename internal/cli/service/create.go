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

// CreateOptions are the inputs of `service create`. Pointers are nil when the flag was not given,
// so the body carries only what the user chose.
type CreateOptions struct {
	F *cmdutil.Factory

	Name, Provider, Region string
	Scaling
	ReleaseChannel *string
	BackupID       *string
	IPAllow        []string
	Tags           []string
	Wait           bool
	// SecretFile is --secret-file: where the whole answer goes, so scripts keep the password.
	SecretFile string
}

func newCreateCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &CreateOptions{F: f}
	cmd := f.Command(cmdutil.Cmd{
		Use:   "create --name NAME --provider PROVIDER --region REGION [flags]",
		Short: "Create a service",
		Long: `Create a ClickHouse service. It starts in state provisioning; --wait waits until it is running.

The answer holds the password of the default user, shown only this once. --secret-file PATH keeps
the whole answer in a new file readable only by you, whatever --jq prints; when --jq or --output
leaves the password out without it, a warning on stderr says so.

If the answer is lost on the way (the connection drops after the request was sent), the command
looks for a service of that name created since it began and says whether it exists: its
password is then lost, and 'chcloud service reset-password' sets a new one.`,
		Example: "  chcloud service create --name analytics --provider aws --region us-east-1 --ip-allow 203.0.113.0/24 --wait\n" +
			"  chcloud service create --name etl --provider aws --region us-east-1 --secret-file etl.json --jq .service.id",
		Flags: func(fl *pflag.FlagSet) {
			fl.StringVar(&opts.Name, "name", "", "service name (required)")
			fl.StringVar(&opts.Provider, "provider", "", "cloud provider: aws, gcp or azure (required)")
			fl.StringVar(&opts.Region, "region", "", "region, e.g. us-east-1 (required)")
			opts.bind(fl)
			cmdutil.Optional(fl, &opts.ReleaseChannel, "release-channel", "", "release channel: slow, default or fast")
			cmdutil.Optional(fl, &opts.BackupID, "from-backup", "", "restore from this backup ID")
			fl.StringArrayVar(&opts.IPAllow, "ip-allow", nil, "IP address or CIDR allowed to connect (repeatable; 0.0.0.0/0 allows everyone)")
			fl.StringArrayVar(&opts.Tags, "tag", nil, "tag Key=Value (repeatable)")
			fl.BoolVar(&opts.Wait, "wait", false, "wait until the service is running")
		},
		SecretFile: &opts.SecretFile,
		Required:   []string{"name", "provider", "region"},
		Run:        func(ctx context.Context) error { return RunCreate(ctx, opts) },
	})
	_ = cmd.RegisterFlagCompletionFunc("provider", cobra.FixedCompletions([]string{"aws", "gcp", "azure"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// RunCreate creates the service, optionally waits for it, and prints the service and the default
// user's password.
func RunCreate(ctx context.Context, opts *CreateOptions) error {
	f := opts.F
	if err := cmdutil.OneOf("provider", opts.Provider, "aws", "gcp", "azure"); err != nil {
		return err
	}
	if opts.BackupID != nil {
		if err := cmdutil.ValidateID("backup", *opts.BackupID); err != nil {
			return err
		}
	}
	body := cloudapi.ServicePostRequest{
		Name:               &opts.Name,
		Provider:           new(cloudapi.ServicePostRequestProvider(opts.Provider)),
		Region:             new(cloudapi.ServicePostRequestRegion(opts.Region)),
		MinReplicaMemoryGB: cmdutil.Float32(opts.MinReplicaMemoryGb),
		MaxReplicaMemoryGB: cmdutil.Float32(opts.MaxReplicaMemoryGb),
		NumReplicas:        opts.NumReplicas,
		IdleScaling:        opts.IdleScaling,
		IdleTimeoutMinutes: cmdutil.Float32(opts.IdleTimeoutMinutes),
		BackupID:           opts.BackupID,
	}
	if opts.ReleaseChannel != nil {
		body.ReleaseChannel = new(cloudapi.ServicePostRequestReleaseChannel(*opts.ReleaseChannel))
	}
	for _, ip := range opts.IPAllow {
		body.IPAccessList = append(body.IPAccessList, cloudapi.IPAccessListEntry{Source: &ip})
	}
	if len(opts.Tags) > 0 {
		tags, err := cmdutil.Tags(opts.Tags)
		if err != nil {
			return err
		}
		body.Tags = tags
	}
	// The answer is saved first: a wait that is interrupted must not lose the password.
	c, org, raw, err := f.CreateWithSecret(ctx, opts.SecretFile, cmdutil.LostCreate{
		Query: cloud.CreatedQuery{Kind: cloud.KindService, Name: opts.Name},
		Noun:  "service", List: "chcloud service list", Lost: "the default user's password was",
		Fix: "reset the password with 'chcloud service reset-password %[1]s', " +
			"or delete the service with 'chcloud service delete %[1]s'",
	}, func(c *cloud.Client, org string) (any, error) { return c.InstanceCreateWithResponse(ctx, org, body) })
	if err != nil {
		return err
	}
	var created struct {
		Service  json.RawMessage `json:"service"`
		Password string          `json:"password"`
	}
	if err := json.Unmarshal(raw, &created); err != nil {
		return fmt.Errorf("reading the created service: %w", err)
	}
	var svc struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	_ = json.Unmarshal(created.Service, &svc)
	password := cmdutil.OneTimeSecret{Label: "password of the default user", Value: created.Password}

	// Print the password before waiting: if the wait is interrupted it must not be lost.
	if opts.Wait && f.IsTable() {
		printPasswordNotice(f, created.Password)
		f.Infof("Created service %s (%s).", svc.ID, svc.State)
	}
	if opts.Wait && svc.ID != "" {
		running, err := waitForState(ctx, f, c, org, svc.ID, cloudapi.ServiceStateRunning)
		if err != nil {
			if !f.IsTable() {
				// A script still needs the password it will never see again.
				_ = f.PrintCreated(raw, output.Table{}, opts.SecretFile, passwordHint(svc.ID), password)
			}
			return err
		}
		b, err := json.Marshal(running)
		if err != nil {
			return err
		}
		created.Service = b
	}
	if f.IsTable() && f.Output.JQ == "" {
		if err := f.Print(created.Service, Table); err != nil {
			return err
		}
		if !opts.Wait {
			printPasswordNotice(f, created.Password)
			f.Infof("The service is %s; 'chcloud service wait %s' waits until it is running.", svc.State, svc.ID)
			return nil
		}
		// A service that has just become ready is there to be connected to: the last line is
		// where, so it is what is left on the screen.
		if host := connectHost(created.Service); host != "" {
			fmt.Fprintf(f.IOStreams.Out, "HOST:  %s\n", host)
		}
		return nil
	}
	return f.PrintCreated(created, output.Table{}, opts.SecretFile, passwordHint(svc.ID), password)
}

// connectHost is the host clients connect to: the native protocol's (clickhouse client), else the
// first endpoint's. All endpoints of a service share one host today, but the API lists them
// per protocol, so the choice does not rely on that.
func connectHost(service json.RawMessage) string {
	var svc struct {
		Endpoints []struct{ Protocol, Host string } `json:"endpoints"`
	}
	if json.Unmarshal(service, &svc) != nil || len(svc.Endpoints) == 0 {
		return ""
	}
	for _, e := range svc.Endpoints {
		if e.Protocol == "nativesecure" && e.Host != "" {
			return e.Host
		}
	}
	return svc.Endpoints[0].Host
}

func passwordHint(serviceID string) string {
	return fmt.Sprintf("'chcloud service reset-password %s' sets a new one.", serviceID)
}

func printPasswordNotice(f *cmdutil.Factory, password string) {
	if password == "" {
		return
	}
	// The label follows the one-object view's style (upper case), so create --wait reads as one view.
	fmt.Fprintf(f.IOStreams.Out, "PASSWORD:  %s\n", password)
	f.Infof("! Save the default user's password now: it is shown only once and cannot be retrieved later.")
}
