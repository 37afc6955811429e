package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
)

// StateOptions are the inputs of `service start|stop|wake`.
type StateOptions struct {
	F         *cmdutil.Factory
	Action    string // start, stop or wake
	ServiceID string
	Wait      bool
}

var stateVerbs = map[string]struct {
	short, ing string
	goal       cloudapi.ServiceState
}{
	"start": {"Start a stopped service", "Starting", cloudapi.ServiceStateRunning},
	"stop":  {"Stop a service", "Stopping", cloudapi.ServiceStateStopped},
	"wake":  {"Wake an idle service", "Waking", cloudapi.ServiceStateRunning},
}

func newStateCmd(f *cmdutil.Factory, action string) *cobra.Command {
	opts := &StateOptions{F: f, Action: action}
	verb := stateVerbs[action]
	return f.Command(cmdutil.Cmd{Use: action + " SERVICE", Short: verb.short, Args: []cmdutil.Arg{{Name: "SERVICE", Into: &opts.ServiceID}},
		Flags: func(fl *pflag.FlagSet) {
			fl.BoolVar(&opts.Wait, "wait", false, fmt.Sprintf("wait until the service is %s", verb.goal))
		},
		Run: func(ctx context.Context) error { return RunState(ctx, opts) }})
}

// RunState sends the start, stop or wake command and optionally waits for its outcome.
func RunState(ctx context.Context, opts *StateOptions) error {
	f := opts.F
	verb, ok := stateVerbs[opts.Action]
	if !ok {
		return fmt.Errorf("unknown action %q", opts.Action)
	}
	c, org, err := opts.F.BeginWith(ctx, opts.F.ResolveServiceArg, &opts.ServiceID)
	if err != nil {
		return err
	}
	var svc *cloudapi.Service
	switch opts.Action {
	case "start":
		svc, err = c.StartService(ctx, org, opts.ServiceID)
	case "stop":
		svc, err = c.StopService(ctx, org, opts.ServiceID)
	case "wake":
		svc, err = c.WakeService(ctx, org, opts.ServiceID)
	}
	if errors.Is(err, cloud.ErrCommandIgnored) {
		other := map[string]string{"start": "wake", "wake": "start"}[opts.Action]
		return cmdutil.WithHint(fmt.Errorf("service %s is %s: %s does nothing then", opts.ServiceID, stateOf(svc), opts.Action),
			fmt.Sprintf("%s it with 'chcloud service %s %s'", other, other, opts.ServiceID))
	}
	if err != nil {
		return err
	}
	if opts.Wait {
		f.Infof("%s service %s...", verb.ing, opts.ServiceID)
		svc, err = waitForState(ctx, f, c, org, opts.ServiceID, verb.goal)
		if err != nil {
			return err
		}
	} else if f.IsTable() {
		f.Infof("%s service %s (now %s); --wait waits until it is %s.", verb.ing, opts.ServiceID, stateOf(svc), verb.goal)
	}
	return f.Print(svc, Table)
}

// waitForState waits (see cmdutil.Wait) until the service is in one of the states.
func waitForState(ctx context.Context, f *cmdutil.Factory, c *cloud.Client, org, id string, states ...cloudapi.ServiceState) (*cloudapi.Service, error) {
	goal := make([]string, len(states))
	for i, s := range states {
		goal[i] = string(s)
	}
	return cmdutil.Wait(ctx, f, "service "+id, strings.Join(goal, " or "), "chcloud service get "+id,
		func(ctx context.Context, p *cmdutil.Progress) (*cloudapi.Service, error) {
			return c.WaitForServiceState(ctx, org, id, states, f.WaitOptions(p)...)
		})
}

func stateOf(svc *cloudapi.Service) string {
	if svc == nil || svc.State == nil || *svc.State == "" {
		return "unknown"
	}
	return string(*svc.State)
}

// WaitOptions are the inputs of `service wait`.
type WaitOptions struct {
	F         *cmdutil.Factory
	ServiceID string
	States    []string
}

func newWaitCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &WaitOptions{F: f}
	return f.Command(cmdutil.Cmd{Use: "wait SERVICE [--state running]", Short: "Wait until a service reaches a state",
		Args: []cmdutil.Arg{{Name: "SERVICE", Into: &opts.ServiceID}},
		Flags: func(fl *pflag.FlagSet) {
			fl.StringSliceVar(&opts.States, "state", []string{"running"}, "state(s) to wait for, comma separated")
		},
		Run: func(ctx context.Context) error { return RunWait(ctx, opts) }})
}

// AllStates are the service states the API documents.
var AllStates = []string{"starting", "stopping", "terminating", "softdeleting", "awaking", "partially_running",
	"provisioning", "running", "stopped", "terminated", "softdeleted", "degraded", "failed", "idle"}

// RunWait waits for one of the states and prints the service.
func RunWait(ctx context.Context, opts *WaitOptions) error {
	f := opts.F
	want := make([]cloudapi.ServiceState, 0, len(opts.States))
	for _, s := range opts.States {
		if !slices.Contains(AllStates, s) {
			return cmdutil.UsageErrorf("invalid --state %q: use one of %s", s, strings.Join(AllStates, ", "))
		}
		want = append(want, cloudapi.ServiceState(s))
	}
	c, org, err := opts.F.BeginWith(ctx, opts.F.ResolveServiceArg, &opts.ServiceID)
	if err != nil {
		return err
	}
	svc, err := waitForState(ctx, f, c, org, opts.ServiceID, want...)
	if err != nil {
		return err
	}
	return f.Print(svc, Table)
}

// DeleteOptions are the inputs of `service delete`.
type DeleteOptions struct {
	F         *cmdutil.Factory
	ServiceID string
	Force     bool // stop the service first
	Wait      bool // wait until it is gone
}

func newDeleteCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &DeleteOptions{F: f}
	return f.Command(cmdutil.Cmd{
		Use:   "delete SERVICE",
		Short: "Delete a service",
		Long: `Delete a service and all its data. This cannot be undone.

The API only deletes stopped services: --force stops it first (and then waits until it is gone).
On a terminal you are asked to confirm by typing the service ID; --yes skips that.`,
		Args: []cmdutil.Arg{{Name: "SERVICE", Into: &opts.ServiceID}},
		Flags: func(fl *pflag.FlagSet) {
			fl.BoolVar(&opts.Force, "force", false, "stop the service first if it is running")
			fl.BoolVar(&opts.Wait, "wait", false, "wait until the service is gone")
		},
		Confirms: true,
		Run:      func(ctx context.Context) error { return RunDelete(ctx, opts) },
	})
}

// RunDelete deletes the service after confirmation.
func RunDelete(ctx context.Context, opts *DeleteOptions) error {
	f := opts.F
	c, org, err := opts.F.BeginWith(ctx, opts.F.ResolveServiceArg, &opts.ServiceID)
	if err != nil {
		return err
	}
	name := opts.ServiceID
	var svc struct{ Name, State string }
	if err := cmdutil.Lookup(&svc)(c.InstanceGetWithResponse(ctx, org, opts.ServiceID)); err != nil {
		return err
	}
	if svc.Name != "" {
		name = fmt.Sprintf("%s (%s, %s)", opts.ServiceID, svc.Name, svc.State)
	}
	warning := fmt.Sprintf("! Deleting service %s deletes all its data. This cannot be undone.", name)
	if err := f.Confirm(warning, opts.ServiceID); err != nil {
		return err
	}
	if opts.Force {
		if f.DryRun {
			f.Infof("--dry-run: would stop service %s, wait until it is stopped, then send:", opts.ServiceID)
			return cloud.Check(c.InstanceDeleteWithResponse(ctx, org, opts.ServiceID))
		}
		f.Infof("Stopping and deleting service %s...", opts.ServiceID)
		_, err := cmdutil.Wait(ctx, f, "service "+opts.ServiceID, "deleted", "chcloud service get "+opts.ServiceID,
			func(ctx context.Context, p *cmdutil.Progress) (struct{}, error) {
				return struct{}{}, c.DeleteService(ctx, org, opts.ServiceID, f.WaitOptions(p)...)
			})
		if err != nil {
			return err
		}
		f.Infof("Deleted service %s.", opts.ServiceID)
		return nil
	}
	// One progress for the repeated DELETE and the wait after it: one clock, one line.
	p := f.NewProgress("service " + opts.ServiceID)
	if err := deleteStopped(ctx, f, c, org, opts.ServiceID, svc.State, p); err != nil {
		if cloud.IsConflict(err) {
			return cmdutil.WithHint(err, fmt.Sprintf("the service must be stopped first: run 'chcloud service stop %s --wait', or delete with --force", opts.ServiceID))
		}
		return err
	}
	if !opts.Wait {
		f.Infof("Deleting service %s; --wait waits until it is gone.", opts.ServiceID)
		return nil
	}
	wctx, cancel := f.WaitContext(ctx)
	defer cancel()
	err = f.WaitGone(wctx, p, cmdutil.StateOf(c, org, opts.ServiceID, (*cloud.Client).InstanceGetWithResponse))
	if err != nil {
		p.Done()
		return f.WaitError(wctx, err, p, "deleted", "chcloud service get "+opts.ServiceID)
	}
	p.Done()
	f.Infof("Deleted service %s.", opts.ServiceID)
	return nil
}

// deleteStopped sends DELETE. The API keeps answering 409 for a while after a service reports
// "stopped", so for a stopped service the DELETE is repeated (within --timeout) until accepted;
// for any other state the 409 is the answer.
func deleteStopped(ctx context.Context, f *cmdutil.Factory, c *cloud.Client, org, id, state string, p *cmdutil.Progress) error {
	wctx, cancel := f.WaitContext(ctx)
	defer cancel()
	interval := f.PollInterval
	if interval <= 0 {
		interval = cloud.DefaultMinPollInterval
	}
	start := time.Now()
	for {
		err := cloud.Check(c.InstanceDeleteWithResponse(wctx, org, id))
		if err == nil || !cloud.IsConflict(err) || state != string(cloudapi.ServiceStateStopped) {
			return err
		}
		p.Update("stopped, waiting for the API to accept the deletion", time.Since(start))
		select {
		case <-wctx.Done():
			p.Done()
			return err
		case <-time.After(interval):
		}
	}
}
