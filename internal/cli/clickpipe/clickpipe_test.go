package clickpipe

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/service"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pipe.json")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runningService(t *testing.T, env *clitest.Env) string {
	t.Helper()
	if err := service.RunCreate(context.Background(), &service.CreateOptions{F: env.F, Name: "ingest", Provider: "aws", Region: "us-east-1", Wait: true}); err != nil {
		t.Fatal(err)
	}
	var created struct{ Service struct{ ID string } }
	if err := json.Unmarshal(env.Out.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	env.Out.Reset()
	return created.Service.ID
}

func TestLifecycle(t *testing.T) {
	env := clitest.New(t, false)
	ctx := context.Background()
	svc := runningService(t, env)
	file := writeFile(t, `{"name": "events", "destination": {"database": "default", "table": "events", "managedTable": true}}`)

	if err := RunCreate(ctx, &CreateOptions{F: env.F, ServiceID: svc, File: file, Wait: true}); err != nil {
		t.Fatal(err)
	}
	var pipe struct{ ID, Name, State string }
	if err := json.Unmarshal(env.Out.Bytes(), &pipe); err != nil || pipe.State != "Running" || pipe.Name != "events" {
		t.Fatalf("create --wait = %s (err %v), want a Running pipe", env.Out, err)
	}
	opts := PipeOptions{F: env.F, ServiceID: svc, ClickPipe: pipe.ID}
	env.Out.Reset()
	if err := RunState(ctx, &StateOptions{PipeOptions: opts, Command: "stop", Wait: true}); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(env.Out.Bytes(), &pipe); err != nil || (pipe.State != "Stopped" && pipe.State != "Paused") {
		t.Fatalf("stop --wait = %s (err %v)", env.Out, err)
	}
	env.Out.Reset()
	replicas := 2
	if err := RunScale(ctx, &ScaleOptions{PipeOptions: opts, Replicas: &replicas}); err != nil {
		t.Fatal(err)
	}
	env.Out.Reset()
	env.F.Output.Format = "table"
	if err := RunList(ctx, &ListOptions{F: env.F, ServiceID: svc}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.Out.String(), "events") || !strings.HasPrefix(env.Out.String(), "ID") {
		t.Errorf("clickpipe list table:\n%s", env.Out)
	}
	env.F.Yes = true
	if err := RunDelete(ctx, &opts); err != nil {
		t.Fatal(err)
	}
	if err := RunGet(ctx, &opts); err == nil {
		t.Error("the pipe is still there after delete")
	}
}

func TestCreateChecksTheBody(t *testing.T) {
	env := clitest.New(t, false)
	ctx := context.Background()
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
	ctx := context.Background()
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

// When a body fits none of a oneOf's forms, the error names what is wrong in the closest one.
func TestCreateNamesTheProblemInTheClosestForm(t *testing.T) {
	env := clitest.New(t, false)
	body := `{"name":"p","source":{"kafka":{"type":"confluent","format":"JSONEachRow","brokers":"b:9092","topics":"t",
		"authentication":"PLAIN","offset":{"strategy":"sideways"}}},
		"destination":{"database":"default","table":"t","managedTable":true,"tableDefinition":{"engine":{"type":"MergeTree"}},
		"columns":[{"name":"a","type":"String"}]}}`
	err := RunCreate(context.Background(), &CreateOptions{F: env.F, ServiceID: "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53", File: writeFile(t, body)})
	if err == nil || !strings.Contains(err.Error(), "closest") || !strings.Contains(err.Error(), "/source/kafka/offset") {
		t.Errorf("error %v does not name the closest form's problem at /source/kafka/offset", err)
	}
}
