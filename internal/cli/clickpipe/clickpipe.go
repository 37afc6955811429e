// Package clickpipe is `chcloud clickpipe`: a service's ClickPipes (managed ingestion from
// Kafka, object storage, Postgres and others).
package clickpipe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/oapi-codegen/nullable"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/api"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Table is how ClickPipes look in a table.
var Table = output.Table{Spec: []string{
	"ID:id", "NAME:name", "STATE:state", "SOURCE:source", "DESTINATION:destination.table", "REPLICAS:scaling.replicas"},
	Formats: []output.Format{{Header: "SOURCE", Format: sourceKind}}}

// sourceKind names the kind of source: the one key the source object sets.
func sourceKind(v any) string {
	m, _ := v.(map[string]any)
	for k, val := range m {
		if val != nil {
			return k
		}
	}
	return "-"
}

// Top is how `chcloud --help` lists `chcloud clickpipe`.
var Top = cmdutil.Top{Use: "clickpipe <command>", Short: "Manage a service's ClickPipes", Aliases: []string{"clickpipes", "pipe"}}

// NewCommand wires `chcloud clickpipe`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	cmd := Top.Noun(
		cmdutil.ListIn(f, cmdutil.Cmd{Use: "list SERVICE", Short: "List a service's ClickPipes"}, f.ResolveServiceArg,
			Table, "ClickPipes", (*cloud.Client).ClickPipeGetListWithResponse),
		newGetCmd(f), newCreateCmd(f),
		newStateCmd(f, "start"), newStateCmd(f, "stop"), newStateCmd(f, "resync"),
		newScaleCmd(f), newDeleteCmd(f))
	f.TakesService(cmd)
	f.ExplainErrors(cmd)
	return cmd
}

// PipeOptions name one ClickPipe.
type PipeOptions struct {
	F                    *cmdutil.Factory
	ServiceID, ClickPipe string
}

// validate checks the ClickPipe ID and resolves the service, which may be given by name.
func (o *PipeOptions) validate(ctx context.Context) error {
	if err := cmdutil.ValidateID("ClickPipe", o.ClickPipe); err != nil {
		return err
	}
	return o.F.ResolveServiceArg(ctx, &o.ServiceID)
}

// begin is Begin for a command on the ClickPipe o names, once validate has passed.
func (o *PipeOptions) begin(ctx context.Context) (*cloud.Client, string, error) {
	if err := o.validate(ctx); err != nil {
		return nil, "", err
	}
	return o.F.Begin(ctx)
}

// command builds the command c describes on the ClickPipe opts names: SERVICE CLICKPIPE_ID.
func (o *PipeOptions) command(c cmdutil.Cmd) *cobra.Command {
	c.Args = []cmdutil.Arg{{Name: "SERVICE", Into: &o.ServiceID}, {Name: "CLICKPIPE_ID", Into: &o.ClickPipe}}
	return o.F.Command(c)
}

func newGetCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &PipeOptions{F: f}
	return opts.command(cmdutil.Cmd{Use: "get SERVICE CLICKPIPE_ID", Short: "Show a ClickPipe", Run: func(ctx context.Context) error {
		c, org, err := opts.begin(ctx)
		if err != nil {
			return err
		}
		return f.Show(Table)(c.ClickPipeGetWithResponse(ctx, org, opts.ServiceID, opts.ClickPipe))
	}})
}

// CreateOptions are the inputs of `clickpipe create`.
type CreateOptions struct {
	F         *cmdutil.Factory
	ServiceID string
	File      string
	Wait      bool
	// NoValidate sends the body without checking it against the document: for a body the real
	// API accepts that the document (and so the check) does not.
	NoValidate bool
}

func newCreateCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &CreateOptions{F: f}
	return f.Command(cmdutil.Cmd{
		Use:   "create SERVICE --file PIPE.json [--wait] [--no-validate]",
		Short: "Create a ClickPipe from a JSON file",
		Long: `Create a ClickPipe from a JSON file holding the request body (name, source, destination,
fieldMappings...). The body is checked against the API document before it is sent, and errors
name the field that is wrong and, for a field with several possible shapes, the shape it was
checked against. What the real API is known to accept although the document forbids it (a Kafka
pipe with IAM_ROLE authentication and "credentials": null) passes the check; --no-validate skips
the check entirely and sends the file as it is.

If the answer is lost on the way (the connection drops after the request was sent), the command
looks for a ClickPipe of that name created since it began and goes on with it if there is one,
or says that none was created and running it again is safe.`,
		Args: []cmdutil.Arg{{Name: "SERVICE", Into: &opts.ServiceID}},
		Flags: func(fl *pflag.FlagSet) {
			fl.StringVar(&opts.File, "file", "", "JSON file with the ClickPipe (- for stdin; required)")
			fl.BoolVar(&opts.Wait, "wait", false, "wait until the ClickPipe is running")
			fl.BoolVar(&opts.NoValidate, "no-validate", false, api.NoValidateHelp)
		},
		Required: []string{"file"},
		Run:      func(ctx context.Context) error { return RunCreate(ctx, opts) },
	})
}

// RunCreate checks the body, creates the ClickPipe and optionally waits for it to run.
func RunCreate(ctx context.Context, opts *CreateOptions) error {
	f := opts.F
	if err := opts.F.ResolveServiceArg(ctx, &opts.ServiceID); err != nil {
		return err
	}
	body, err := f.ReadJSONFile(opts.File)
	if err != nil {
		return err
	}
	if !opts.NoValidate {
		if err := api.ValidateBody(ctx, "clickPipeCreate", body); err != nil {
			return err
		}
	}
	c, org, err := f.ClientAndOrg(ctx)
	if err != nil {
		return err
	}
	result, err := f.CreateResult(ctx, c, cmdutil.LostCreate{
		Query: cloud.CreatedQuery{Kind: cloud.KindClickPipe, OrgID: org, ServiceID: opts.ServiceID, Name: cmdutil.NameIn(body)},
		Noun:  "ClickPipe", List: "chcloud clickpipe list " + opts.ServiceID,
	})(c.ClickPipeCreateWithBodyWithResponse(ctx, org, opts.ServiceID, cmdutil.ContentJSON, bytes.NewReader(body)))
	if err != nil {
		var apiErr *cloud.APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusFailedDependency {
			return cmdutil.WithHint(err, fmt.Sprintf("the service may be idle or stopped: 'chcloud service wake %s --wait' and try again", opts.ServiceID))
		}
		return err
	}
	if !opts.Wait {
		return f.Print(result, Table)
	}
	var pipe struct{ ID string }
	if err := json.Unmarshal(result, &pipe); err != nil || pipe.ID == "" {
		return fmt.Errorf("the API did not return the new ClickPipe's id")
	}
	return wait(ctx, f, c, org, opts.ServiceID, pipe.ID, "Running")
}

func wait(ctx context.Context, f *cmdutil.Factory, c *cloud.Client, org, serviceID, pipeID string, goal ...cloudapi.ClickPipeState) error {
	pipe, err := cmdutil.Wait(ctx, f, "ClickPipe "+pipeID, fmt.Sprint(goal), fmt.Sprintf("chcloud clickpipe get %s %s", serviceID, pipeID),
		func(ctx context.Context, p *cmdutil.Progress) (*cloudapi.ClickPipe, error) {
			return c.WaitForClickPipeState(ctx, org, serviceID, pipeID, goal, f.WaitOptions(p)...)
		})
	if err != nil {
		return err
	}
	return f.Print(pipe, Table)
}

// StateOptions are the inputs of `clickpipe start|stop|resync`.
type StateOptions struct {
	PipeOptions
	Command string // start, stop or resync
	Wait    bool
}

func newStateCmd(f *cmdutil.Factory, command string) *cobra.Command {
	opts := &StateOptions{PipeOptions: PipeOptions{F: f}, Command: command}
	short := map[string]string{"start": "Start a ClickPipe", "stop": "Stop a ClickPipe", "resync": "Resync a ClickPipe (CDC pipes: copy the tables again)"}[command]
	return opts.command(cmdutil.Cmd{Use: command + " SERVICE CLICKPIPE_ID", Short: short,
		Flags: func(fl *pflag.FlagSet) {
			fl.BoolVar(&opts.Wait, "wait", false, "wait until the ClickPipe is running (start, resync) or stopped (stop)")
		},
		Run: func(ctx context.Context) error { return RunState(ctx, opts) }})
}

// RunState sends the state command and optionally waits for its outcome.
func RunState(ctx context.Context, opts *StateOptions) error {
	f := opts.F
	c, org, err := opts.begin(ctx)
	if err != nil {
		return err
	}
	body := cloudapi.ClickPipeStatePatchRequest{Command: new(cloudapi.ClickPipeStatePatchRequestCommand(opts.Command))}
	result, err := cmdutil.RawResult(c.ClickPipeStateUpdateWithResponse(ctx, org, opts.ServiceID, opts.ClickPipe, body))
	if err != nil {
		return err
	}
	if !opts.Wait {
		return f.Print(result, Table)
	}
	if opts.Command == "stop" {
		return wait(ctx, f, c, org, opts.ServiceID, opts.ClickPipe, cloudapi.ClickPipeStateStopped, cloudapi.ClickPipeStatePaused)
	}
	return wait(ctx, f, c, org, opts.ServiceID, opts.ClickPipe, cloudapi.ClickPipeStateRunning)
}

// ScaleOptions are the inputs of `clickpipe scale`.
type ScaleOptions struct {
	PipeOptions
	Replicas, Concurrency, CPUMillicores *int
	MemoryGb                             *float64
}

func newScaleCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &ScaleOptions{PipeOptions: PipeOptions{F: f}}
	return opts.command(cmdutil.Cmd{
		Use:   "scale SERVICE CLICKPIPE_ID [--replicas N] [--concurrency N] [--cpu-millicores N] [--memory-gb N]",
		Short: "Change a ClickPipe's replicas and size",
		Long:  "Change a ClickPipe's scaling. The API may report the old values for a while after a change.",
		Flags: func(fl *pflag.FlagSet) {
			cmdutil.Optional(fl, &opts.Replicas, "replicas", 0, "number of replicas")
			cmdutil.Optional(fl, &opts.Concurrency, "concurrency", 0, "concurrency (object storage pipes)")
			cmdutil.Optional(fl, &opts.CPUMillicores, "cpu-millicores", 0, "CPU per replica, millicores")
			cmdutil.Optional(fl, &opts.MemoryGb, "memory-gb", 0, "memory per replica, GB")
		},
		Run: func(ctx context.Context) error { return RunScale(ctx, opts) },
	})
}

// RunScale changes the ClickPipe's scaling.
func RunScale(ctx context.Context, opts *ScaleOptions) error {
	f := opts.F
	if err := opts.validate(ctx); err != nil {
		return err
	}
	// Only the flags given; the document makes each field nullable, which the CLI never sends.
	var body cloudapi.ClickPipeScalingPatchRequest
	for _, v := range []struct {
		value *int
		field *nullable.Nullable[int]
	}{{opts.Replicas, &body.Replicas}, {opts.Concurrency, &body.Concurrency}, {opts.CPUMillicores, &body.ReplicaCPUMillicores}} {
		if v.value != nil {
			v.field.Set(*v.value)
		}
	}
	if opts.MemoryGb != nil {
		body.ReplicaMemoryGB.Set(float32(*opts.MemoryGb))
	}
	if !body.Replicas.IsSpecified() && !body.Concurrency.IsSpecified() && !body.ReplicaCPUMillicores.IsSpecified() && !body.ReplicaMemoryGB.IsSpecified() {
		return cmdutil.UsageErrorf("nothing to change: give at least one of --replicas, --concurrency, --cpu-millicores, --memory-gb")
	}
	c, org, err := f.Begin(ctx)
	if err != nil {
		return err
	}
	return f.Show(Table)(c.ClickPipeScalingUpdateWithResponse(ctx, org, opts.ServiceID, opts.ClickPipe, body))
}

func newDeleteCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &PipeOptions{F: f}
	return opts.command(cmdutil.Cmd{Use: "delete SERVICE CLICKPIPE_ID", Short: "Delete a ClickPipe", Confirms: true,
		Run: func(ctx context.Context) error { return RunDelete(ctx, opts) }})
}

// RunDelete deletes the ClickPipe after confirmation. Data already ingested stays in its table.
func RunDelete(ctx context.Context, opts *PipeOptions) error {
	f := opts.F
	c, org, err := opts.begin(ctx)
	if err != nil {
		return err
	}
	var pipe struct{ Name string }
	if err := cmdutil.Lookup(&pipe)(c.ClickPipeGetWithResponse(ctx, org, opts.ServiceID, opts.ClickPipe)); err != nil {
		return err
	}
	label, expect := cmdutil.Named(opts.ClickPipe, pipe.Name)
	return f.ConfirmDelete(label, expect, "! Deleting ClickPipe %s: ingestion stops; data already loaded stays.", "Deleted ClickPipe %s.",
		func() error {
			return cloud.Check(c.ClickPipeDeleteWithResponse(ctx, org, opts.ServiceID, opts.ClickPipe))
		})
}
