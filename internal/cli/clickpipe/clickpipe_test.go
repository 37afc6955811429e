package clickpipe

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/service"
)

func writeFile(t *testing.T, body string) string { return clitest.WriteFile(t, "pipe.json", body) }

func runningService(t *testing.T, env *clitest.Env) string {
	t.Helper()
	if err := service.RunCreate(t.Context(), &service.CreateOptions{F: env.F, Name: "ingest", Provider: "aws", Region: "us-east-1", Wait: true}); err != nil {
		t.Fatal(err)
	}
	var created struct{ Service struct{ ID string } }
	env.DecodeOut(t, &created)
	env.Out.Reset()
	return created.Service.ID
}

func TestLifecycle(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	svc := runningService(t, env)
	file := writeFile(t, `{"name": "events", "destination": {"database": "default", "table": "events", "managedTable": true}}`)

	if err := RunCreate(ctx, &CreateOptions{F: env.F, ServiceID: svc, File: file, Wait: true}); err != nil {
		t.Fatal(err)
	}
	var pipe struct{ ID, Name, State string }
	if env.DecodeOut(t, &pipe); pipe.State != "Running" || pipe.Name != "events" {
		t.Fatalf("create --wait = %s, want a Running pipe", env.Out)
	}
	opts := PipeOptions{F: env.F, ServiceID: svc, ClickPipe: pipe.ID}
	env.Out.Reset()
	bodies := env.Bodies()
	if err := RunState(ctx, &StateOptions{PipeOptions: opts, Command: "stop", Wait: true}); err != nil {
		t.Fatal(err)
	}
	if env.DecodeOut(t, &pipe); pipe.State != "Stopped" && pipe.State != "Paused" {
		t.Fatalf("stop --wait = %s", env.Out)
	}
	env.Out.Reset()
	replicas, zero, mem := 2, 0, 0.5
	if err := RunScale(ctx, &ScaleOptions{PipeOptions: opts, Replicas: &replicas}); err != nil {
		t.Fatal(err)
	}
	_ = RunScale(ctx, &ScaleOptions{PipeOptions: opts, Concurrency: &zero, CPUMillicores: &replicas, MemoryGb: &mem}) // only the body matters
	bodies.Want(t, `PATCH {"command":"stop"}`, `PATCH {"replicas":2}`, `PATCH {"concurrency":0,"replicaCpuMillicores":2,"replicaMemoryGb":0.5}`)
	env.F.Output.Format = "table"
	run := env.Runner(NewCommand)
	if err := run("list", svc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.Out.String(), "events") || !strings.HasPrefix(env.Out.String(), "ID") {
		t.Errorf("clickpipe list table:\n%s", env.Out)
	}
	env.F.Yes = true
	if err := RunDelete(ctx, &opts); err != nil {
		t.Fatal(err)
	}
	if err := run("get", svc, pipe.ID); err == nil {
		t.Error("the pipe is still there after delete")
	}
}

func TestCreateChecksTheBody(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	svc := "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53"
	err := RunCreate(ctx, &CreateOptions{F: env.F, ServiceID: svc, File: writeFile(t, `{"name": 5}`)})
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), `"/name"`) {
		t.Errorf("a body that violates the document: %v, want a usage error naming /name", err)
	}
	err = RunCreate(ctx, &CreateOptions{F: env.F, ServiceID: svc, File: writeFile(t, `{"name": `)})
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("invalid JSON: %v, want a usage error", err)
	}
	err = RunCreate(ctx, &CreateOptions{F: env.F, ServiceID: svc, File: "/nonexistent/pipe.json"})
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("missing file: %v, want a usage error", err)
	}
}

// A Kafka pipe with credentials: the document's credentials oneOf cannot tell its alternatives
// apart, and a strict reading refused every such pipe, both here and in the fake server.
func TestCreateKafkaPipeWithCredentials(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	svc := runningService(t, env)
	body := `{"name":"withcreds","source":{"kafka":{"type":"confluent","format":"JSONEachRow","brokers":"b:9092","topics":"t",
		"authentication":"PLAIN","credentials":{"username":"u","password":"p"}}},
		"destination":{"database":"default","table":"t","managedTable":true,"tableDefinition":{"engine":{"type":"MergeTree"}},
		"columns":[{"name":"a","type":"String"}]}}`
	if err := RunCreate(ctx, &CreateOptions{F: env.F, ServiceID: svc, File: writeFile(t, body)}); err != nil {
		t.Fatalf("a Kafka pipe with PLAIN credentials was refused: %v", err)
	}
	if !strings.Contains(env.Out.String(), `"withcreds"`) {
		t.Errorf("the created pipe is not printed:\n%s", env.Out)
	}
}

// An error names the field and the broken rule; where the document allows several shapes, the
// shape the body was checked against and the property that chose it, and nothing of the others.
func TestCreateNamesTheFieldAndTheForm(t *testing.T) {
	env := clitest.New(t, false)
	svc := "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53"
	for _, c := range []struct {
		name, body string
		want, not  []string
	}{
		{"offset strategy", `{"name":"p","source":{"kafka":{"type":"confluent","format":"JSONEachRow","brokers":"b:9092","topics":"t",
			"authentication":"PLAIN","offset":{"strategy":"sideways"}}},
			"destination":{"database":"default","table":"t","managedTable":true}}`,
			[]string{`field "/source/kafka/offset/strategy": "sideways" is not one of the declared values (from_beginning, from_latest, from_timestamp)`},
			[]string{"fits none", "oneOf"}},
		{"pub/sub form chosen by authentication", `{"name":"p","source":{"pubsub":{"authentication":"SERVICE_ACCOUNT","projectId":"p","topic":"t",
			"format":"JSONEachRow","seekType":"earliest","serviceAccountKey":"a2V5","ackDeadline":5}},"destination":{"database":"d","table":"t","managedTable":true}}`,
			[]string{`field "/source/pubsub/ackDeadline": must be at least 10`,
				`judged as ClickPipePostPubSubServiceAccountSource, chosen at /source/pubsub by authentication "SERVICE_ACCOUNT"`},
			[]string{"WorkloadIdentity", "SERVICE_ACCOUNT_WORKLOAD_IDENTITY"}},
	} {
		err := RunCreate(t.Context(), &CreateOptions{F: env.F, ServiceID: svc, File: writeFile(t, c.body)})
		clitest.WantUsageSaying(t, c.name, err, c.want, c.not)
		var ce *cmdutil.Error
		if !errors.As(err, &ce) || !slices.ContainsFunc(ce.Hints, func(h string) bool { return strings.Contains(h, "--no-validate") }) {
			t.Errorf("%s: no hint at --no-validate: %#v", c.name, err)
		}
	}
}

// The real API creates a Kafka pipe that authenticates with IAM_ROLE and sends "credentials":
// null, although the document does not allow null there (specdoc's request-deviations.yaml).
func TestCreateKafkaIAMRolePipeWithNullCredentials(t *testing.T) {
	env := clitest.New(t, false)
	svc := runningService(t, env)
	body := `{"name":"msk-iam","source":{"kafka":{"type":"msk","format":"JSONEachRow","brokers":"b-1.example:9098","topics":"events",
		"authentication":"IAM_ROLE","iamRole":"arn:aws:iam::123456789012:role/ClickPipes","credentials":null}},
		"destination":{"database":"default","table":"events","managedTable":true,"columns":[{"name":"a","type":"String"}]}}`
	if err := RunCreate(t.Context(), &CreateOptions{F: env.F, ServiceID: svc, File: writeFile(t, body)}); err != nil {
		t.Fatalf("a Kafka IAM_ROLE pipe with credentials null was refused: %v", err)
	}
	if !strings.Contains(env.Out.String(), `"msk-iam"`) {
		t.Errorf("the created pipe is not printed:\n%s", env.Out)
	}
}

// --no-validate sends a body the check refuses: the server's answer, not the CLI, says what is
// wrong (the fake checks bodies with the same validator, so it refuses it too).
func TestCreateNoValidateSendsTheBody(t *testing.T) {
	env := clitest.New(t, false)
	svc := runningService(t, env)
	file := writeFile(t, `{"name": 5, "destination": {"database": "default", "table": "t", "managedTable": true}}`)
	err := RunCreate(t.Context(), &CreateOptions{F: env.F, ServiceID: svc, File: file})
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Fatalf("without --no-validate: %v, want a usage error before sending", err)
	}
	err = RunCreate(t.Context(), &CreateOptions{F: env.F, ServiceID: svc, File: file, NoValidate: true})
	var apiErr *cloud.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || !strings.Contains(apiErr.Message, "request body.name: declared string, got number") {
		t.Fatalf("with --no-validate: %v, want the server's 400 about name", err)
	}
}

func TestCreateHelpExplainsNoValidate(t *testing.T) {
	cmd := newCreateCmd(clitest.NewOffline(t, false).F)
	fl := cmd.Flags().Lookup("no-validate")
	if fl == nil || !strings.Contains(fl.Usage, "without checking") || !strings.Contains(cmd.Long, "--no-validate") {
		t.Fatalf("--no-validate missing or unexplained: %+v\n%s", fl, cmd.Long)
	}
}
