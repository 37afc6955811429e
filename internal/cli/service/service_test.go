package service

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
)

type created struct {
	Service struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		State string `json:"state"`
		Tags  []struct{ Key, Value string }
	} `json:"service"`
	Password string `json:"password"`
}

func create(t *testing.T, env *clitest.Env, name string, wait bool, tags ...string) created {
	t.Helper()
	env.Out.Reset()
	err := RunCreate(t.Context(), &CreateOptions{F: env.F, Name: name, Provider: "aws", Region: "us-east-1",
		IPAllow: []string{"0.0.0.0/0"}, Tags: tags, Wait: wait})
	if err != nil {
		t.Fatalf("create: %v\nstderr: %s", err, env.ErrOut)
	}
	var c created
	env.DecodeOut(t, &c)
	env.Out.Reset()
	return c
}

func TestLifecycleForScripts(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()

	c := create(t, env, "analytics", true, "env=prod")
	if c.Service.State != "running" || c.Password == "" || c.Service.Name != "analytics" {
		t.Fatalf("create --wait = %+v, want a running service and its password", c)
	}
	if !strings.Contains(env.ErrOut.String(), "service "+c.Service.ID+": ") {
		t.Errorf("no plain progress lines on stderr: %q", env.ErrOut)
	}
	other := create(t, env, "scratch", false)
	if other.Service.State != "provisioning" {
		t.Errorf("create without --wait: state %q, want provisioning", other.Service.State)
	}

	if err := RunList(ctx, &ListOptions{F: env.F, Tags: []string{"env=prod"}}); err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	env.DecodeOut(t, &list)
	if len(list) != 1 || list[0]["id"] != c.Service.ID {
		t.Fatalf("list --tag env=prod = %v, want only %s", list, c.Service.ID)
	}
	env.Out.Reset()

	env.F.Output.JQ = ".[].name"
	if err := RunList(ctx, &ListOptions{F: env.F}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(env.Out.String()); len(got) != 2 {
		t.Fatalf("--jq .[].name = %q, want two names", got)
	}
	env.F.Output.JQ = ""
	env.Out.Reset()

	if err := RunState(ctx, &StateOptions{F: env.F, Action: "stop", ServiceID: c.Service.ID, Wait: true}); err != nil {
		t.Fatal(err)
	}
	var stopped map[string]any
	if env.DecodeOut(t, &stopped); stopped["state"] != "stopped" {
		t.Fatalf("stop --wait printed %s, want state stopped", env.Out)
	}
	env.Out.Reset()

	// Not a terminal and no --yes: refuse rather than delete on a script's behalf.
	err := RunDelete(ctx, &DeleteOptions{F: env.F, ServiceID: c.Service.ID})
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), "--yes") {
		t.Fatalf("delete without --yes off a terminal: %v (exit %d), want a usage error naming --yes", err, cmdutil.ExitCode(err))
	}
	env.F.Yes = true
	if err := RunDelete(ctx, &DeleteOptions{F: env.F, ServiceID: c.Service.ID, Wait: true}); err != nil {
		t.Fatalf("delete --wait: %v", err)
	}
	err = run(env, "get", c.Service.ID)
	if !cloud.IsNotFound(err) {
		t.Fatalf("get after delete: %v, want 404", err)
	}
}

func TestTerminalOutput(t *testing.T) {
	env := clitest.New(t, true)
	ctx := t.Context()
	if err := RunCreate(ctx, &CreateOptions{F: env.F, Name: "web", Provider: "gcp", Region: "us-east1"}); err != nil {
		t.Fatal(err)
	}
	out := env.Out.String()
	if !strings.Contains(out, "PASSWORD:  ") || !strings.Contains(env.ErrOut.String(), "shown only once") {
		t.Errorf("create on a terminal must show the password with a warning; out %q err %q", out, env.ErrOut)
	}
	env.Out.Reset()
	if err := RunList(ctx, &ListOptions{F: env.F}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(env.Out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "STATE") || !strings.Contains(lines[1], "web") {
		t.Fatalf("table = %q, want a header and one row", env.Out)
	}
}

func TestDeleteRunningServiceNeedsForce(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	env.F.Yes = true
	c := create(t, env, "busy", true)

	err := RunDelete(ctx, &DeleteOptions{F: env.F, ServiceID: c.Service.ID})
	if !cloud.IsConflict(err) {
		t.Fatalf("delete of a running service: %v, want 409", err)
	}
	var msg bytes.Buffer
	cmdutil.PrintError(&msg, err)
	if !strings.Contains(msg.String(), "error: CONFLICT") || !strings.Contains(msg.String(), "--force") {
		t.Errorf("error output %q should show the API error and hint at --force", msg.String())
	}
	if cmdutil.ExitCode(err) != cmdutil.ExitError {
		t.Errorf("exit code %d, want 1", cmdutil.ExitCode(err))
	}

	if err := RunDelete(ctx, &DeleteOptions{F: env.F, ServiceID: c.Service.ID, Force: true}); err != nil {
		t.Fatalf("delete --force: %v", err)
	}
	if err := run(env, "get", c.Service.ID); !cloud.IsNotFound(err) {
		t.Fatalf("after delete --force: %v, want 404", err)
	}
}

func TestDeleteAsksOnTerminal(t *testing.T) {
	env := clitest.New(t, true)
	ctx := t.Context()
	env.F.Output.Format = "json"
	c := create(t, env, "keep-me", true)
	if err := RunState(ctx, &StateOptions{F: env.F, Action: "stop", ServiceID: c.Service.ID, Wait: true}); err != nil {
		t.Fatal(err)
	}

	env.In.WriteString("no\n")
	err := RunDelete(ctx, &DeleteOptions{F: env.F, ServiceID: c.Service.ID})
	if err != cmdutil.ErrCancelled {
		t.Fatalf("wrong confirmation: %v, want cancelled", err)
	}
	if !strings.Contains(env.ErrOut.String(), "cannot be undone") {
		t.Errorf("no warning before asking: %q", env.ErrOut)
	}
	if err := run(env, "get", c.Service.ID); err != nil {
		t.Fatalf("service must survive a declined confirmation: %v", err)
	}

	env.In.WriteString(c.Service.ID + "\n")
	if err := RunDelete(ctx, &DeleteOptions{F: env.F, ServiceID: c.Service.ID, Wait: true}); err != nil {
		t.Fatalf("confirmed delete: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	clitest.WantUsage(t, map[string]error{
		"bad provider":   RunCreate(ctx, &CreateOptions{F: env.F, Name: "x", Provider: "ibm", Region: "r"}),
		"bad wait state": RunWait(ctx, &WaitOptions{F: env.F, ServiceID: "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53", States: []string{"sleeping"}}),
		"empty update":   RunUpdate(ctx, &UpdateOptions{F: env.F, ServiceID: "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53"}),
		"empty tag":      RunList(ctx, &ListOptions{F: env.F, Tags: []string{"=x"}}),
	})
}

func TestUpdateScaleAndPassword(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	c := create(t, env, "old-name", true)
	name := "new-name"
	if err := RunUpdate(ctx, &UpdateOptions{F: env.F, ServiceID: c.Service.ID, Name: &name, AddTags: []string{"team=data"}}); err != nil {
		t.Fatal(err)
	}
	var svc map[string]any
	if env.DecodeOut(t, &svc); svc["name"] != "new-name" {
		t.Fatalf("update printed %s, want the renamed service", env.Out)
	}
	env.Out.Reset()
	replicas := 3
	if err := RunScale(ctx, &ScaleOptions{F: env.F, ServiceID: c.Service.ID, Scaling: Scaling{NumReplicas: &replicas}}); err != nil {
		t.Fatal(err)
	}
	env.Out.Reset()
	if err := RunResetPassword(ctx, &ResetPasswordOptions{F: env.F, ServiceID: c.Service.ID}); err != nil {
		t.Fatal(err)
	}
	var pw struct{ Password string }
	if env.DecodeOut(t, &pw); pw.Password == "" || pw.Password == c.Password {
		t.Fatalf("reset-password printed %s, want a new password", env.Out)
	}
}

func TestDryRunSendsNothing(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	env.F.DryRun = true
	err := RunCreate(ctx, &CreateOptions{F: env.F, Name: "dry", Provider: "aws", Region: "us-east-1"})
	if cmdutil.ExitCode(err) != 0 {
		t.Fatalf("dry run: %v", err)
	}
	out := env.Out.String()
	if !strings.HasPrefix(out, "POST "+env.Server.URL+"/v1/organizations/") || !strings.Contains(out, `"name": "dry"`) {
		t.Errorf("dry run printed %q, want the POST with its body", out)
	}
	if strings.Contains(out, env.Server.KeySecret) || !strings.Contains(out, "Authorization: Basic REDACTED") {
		t.Errorf("dry run must redact credentials: %q", out)
	}
	env.F.DryRun = false
	env.Out.Reset()
	if err := RunList(ctx, &ListOptions{F: env.F}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(env.Out.String()) != "[]" {
		t.Errorf("after a dry run the list is %s, want []", env.Out)
	}
}

// The API accepts "awake" on a stopped service and "start" on an idle one without acting on
// them; the commands say so instead of waiting for a state that will not come.
func TestWakeAndStartThatWouldDoNothing(t *testing.T) {
	clock := cloudtest.NewManualClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	env := clitest.New(t, false, cloudtest.WithClock(clock))
	ctx := t.Context()
	id := create(t, env, "sleepy", false).Service.ID
	clock.Advance(time.Minute) // provisioning -> running
	state := func(action string, wait bool) error {
		env.Out.Reset()
		return RunState(ctx, &StateOptions{F: env.F, Action: action, ServiceID: id, Wait: wait})
	}
	if err := state("stop", false); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute) // stopping -> stopped
	err := state("wake", true)
	if err == nil || !strings.Contains(err.Error(), "is stopped: wake does nothing") || cmdutil.ExitCode(err) != cmdutil.ExitError {
		t.Fatalf("wake on a stopped service: %v", err)
	}
	var hinted *cmdutil.Error
	if !errors.As(err, &hinted) || len(hinted.Hints) == 0 || !strings.Contains(hinted.Hints[0], "chcloud service start "+id) {
		t.Errorf("no hint to start it: %#v", err)
	}
	if err := state("start", false); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)      // starting -> running
	clock.Advance(20 * time.Minute) // running -> idle after the 15-minute idle timeout
	if err := state("start", true); err == nil || !strings.Contains(err.Error(), "is idle: start does nothing") {
		t.Fatalf("start on an idle service: %v", err)
	}
	if err := state("wake", false); err != nil {
		t.Fatalf("wake on an idle service: %v", err)
	}
}

// TestCreateBody pins the request bodies: name, provider and region always, the rest only when
// given (the API rejects some fields sent with default values), a zero given is still sent.
func TestCreateBody(t *testing.T) {
	env := clitest.New(t, false)
	bodies := env.Bodies()
	ctx := t.Context()
	zero, mem, timeout, idle, channel := 0, 8.0, 7.5, false, "fast"
	for _, o := range []CreateOptions{
		{Name: "a", Provider: "aws", Region: "us-east-1"},
		{Name: "b", Provider: "gcp", Region: "us-east1", Scaling: Scaling{MinReplicaMemoryGb: &mem, MaxReplicaMemoryGb: &mem, NumReplicas: &zero,
			IdleScaling: &idle, IdleTimeoutMinutes: &timeout}, ReleaseChannel: &channel, IPAllow: []string{"10.0.0.0/8", "1.2.3.4"}, Tags: []string{"k=v", "bare"}},
	} {
		o.F = env.F
		_ = RunCreate(ctx, &o) // the fake may refuse some values: only the body matters here
	}
	bodies.Want(t,
		`POST {"name":"a","provider":"aws","region":"us-east-1"}`,
		`POST {"idleScaling":false,"idleTimeoutMinutes":7.5,"ipAccessList":[{"source":"10.0.0.0/8"},{"source":"1.2.3.4"}],"maxReplicaMemoryGb":8,"minReplicaMemoryGb":8,"name":"b","numReplicas":0,"provider":"gcp","region":"us-east1","releaseChannel":"fast","tags":[{"key":"k","value":"v"},{"key":"bare"}]}`)
}

// TestUpdateBodies pins the bodies of update, scale, reset-password and query-endpoint enable.
// One change from the map-built bodies, not pinned here: an add or remove list that is empty
// (only --add-ip given, say) is now left out where it was sent as [].
func TestUpdateBodies(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	if err := RunCreate(ctx, &CreateOptions{F: env.F, Name: "db", Provider: "aws", Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	var svc struct{ Service struct{ ID string } }
	env.DecodeOut(t, &svc)
	id := svc.Service.ID
	keyID, err := env.F.ResolveKey(ctx, env.Server.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	bodies := env.Bodies()
	name, channel, zero, idle, mem := "renamed", "slow", 0, true, 16.0
	steps := []error{
		RunUpdate(ctx, &UpdateOptions{F: env.F, ServiceID: id, Name: &name, ReleaseChannel: &channel}),
		RunUpdate(ctx, &UpdateOptions{F: env.F, ServiceID: id, AddIPs: []string{"1.2.3.4"}, RemoveIPs: []string{"0.0.0.0/0"}, AddTags: []string{"a=b"}, RemoveTags: []string{"c"}}),
		RunScale(ctx, &ScaleOptions{F: env.F, ServiceID: id, Scaling: Scaling{NumReplicas: &zero, IdleScaling: &idle, MaxReplicaMemoryGb: &mem}}),
		RunResetPassword(ctx, &ResetPasswordOptions{F: env.F, ServiceID: id}),
		RunQueryEndpoint(ctx, &QueryEndpointOptions{F: env.F, Action: "enable", ServiceID: id, Roles: []string{"sql_console_admin"}, KeyIDs: []string{env.Server.KeyID}, AllowedOrigins: "https://a.example"}),
	}
	_ = steps // the fake may refuse some values: only the bodies matter here
	bodies.Want(t,
		`PATCH {"name":"renamed","releaseChannel":"slow"}`,
		`PATCH {"ipAccessList":{"add":[{"source":"1.2.3.4"}],"remove":[{"source":"0.0.0.0/0"}]},"tags":{"add":[{"key":"a","value":"b"}],"remove":[{"key":"c"}]}}`,
		`PATCH {"idleScaling":true,"maxReplicaMemoryGb":16,"numReplicas":0}`,
		`PATCH {}`,
		`POST {"allowedOrigins":"https://a.example","openApiKeys":["`+keyID+`"],"roles":["sql_console_admin"]}`)
}
