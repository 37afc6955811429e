package speccmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/speccmd"
)

const realResponses = "../../../testdata/real-responses"

func writeBody(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const kafkaPipeList = `{"status":200,"requestId":"5b3c2f9e-1d2a-4c3b-8e7f-0a1b2c3d4e5f","result":[{"createdAt":"2026-11-26T02:04:51Z",` +
	`"destination":{"columns":[{"name":"c","type":"String"}],"database":"db","managedTable":true,"table":"t"},"fieldMappings":[],` +
	`"id":"58029873-9581-400c-94f4-92e42858a266","name":"pipe","serviceId":"54f06172-e2f0-4b2e-9c69-8610a5e59be4",` +
	`"source":{"kafka":{"authentication":"PLAIN","brokers":"b:9092","format":"JSONEachRow","topics":"t","type":"confluent",` +
	`"reversePrivateEndpointIds":null}},"state":"Running","updatedAt":"UPDATED"}]}`

func TestCheckResponseKnownDeviationOnly(t *testing.T) {
	// The shape the reversePrivateEndpointIds deviation was written for: known, so exit 0, and no
	// type-mismatch against the null form of the nullable union around the Kafka source.
	file := writeBody(t, strings.Replace(kafkaPipeList, "UPDATED", "2026-11-26T02:04:51Z", 1))
	out, code, err := run(t, "check-response", "clickPipeGetList", "200", file)
	if code != 0 {
		t.Fatalf("exit %d (%v):\n%s", code, err, out)
	}
	if !strings.Contains(out, "known null-value $.result[0].source.kafka.reversePrivateEndpointIds") || strings.Contains(out, "type-mismatch") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestCheckResponseNewFindingFromStdin(t *testing.T) {
	cmdOut, code, _ := runWithStdin(t, strings.Replace(kafkaPipeList, "UPDATED", "yesterday", 1),
		"check-response", "clickPipeGetList", "200", "-", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a new finding):\n%s", code, cmdOut)
	}
	var got struct {
		New, Known int
		Findings   []struct{ Path, Kind string }
	}
	if err := json.Unmarshal([]byte(cmdOut), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, cmdOut)
	}
	if got.New != 1 || got.Known != 1 || len(got.Findings) != 2 || got.Findings[1].Path != "$.result[0].updatedAt" || got.Findings[1].Kind != "format-mismatch" {
		t.Fatalf("got %+v", got)
	}
}

func TestCheckResponseRealBodies(t *testing.T) {
	// The real 429 body: undeclared status and its envelope anomalies, all known.
	out, code, err := run(t, "check-response", "instanceDelete", "429", filepath.Join(realResponses, "delete-service-429-too-many-requests.json"))
	if code != 0 || !strings.Contains(out, "3 findings, 0 new, 3 known") {
		t.Fatalf("exit %d (%v):\n%s", code, err, out)
	}
	// An HTML page where JSON is declared is judged as such, not as a crash.
	file := writeBody(t, "<html><body>Cannot GET /v1/nope</body></html>")
	out, code, _ = run(t, "check-response", "instanceGetList", "404", file, "--content-type", "text/html")
	if code != 1 || !strings.Contains(out, "HTML page") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestCheckResponseBadInput(t *testing.T) {
	file := writeBody(t, `{}`)
	for _, args := range [][]string{
		{"check-response", "noSuchOperation", "200", file},
		{"check-response", "instanceGetList", "two hundred", file},
		{"check-response", "instanceGetList", "200", filepath.Join(t.TempDir(), "missing.json")},
		{"check-response", "instanceGetList", "200", file, "--format", "yaml"},
		{"check-response", "instanceGetList", "200"},
	} {
		if _, code, err := run(t, args...); code != 2 || err == nil {
			t.Errorf("%v: exit %d (%v), want 2 with an error", args, code, err)
		}
	}
}

// runWithStdin is run with stdin as the command's standard input.
func runWithStdin(t *testing.T, stdin string, args ...string) (string, int, error) {
	t.Helper()
	env := clitest.NewOffline(t, false)
	env.In.WriteString(stdin)
	err := env.Runner(speccmd.NewCommand)(args...)
	return env.Out.String(), cmdutil.ExitCode(err), err
}

func TestCheckRequest(t *testing.T) {
	// What the real API accepts although the document forbids it: accepted, marked, exit 0.
	out, code, err := runWithStdin(t, `{"pgConfig":{},"pgBouncerConfig":{}}`, "check-request", "postgresInstanceConfigPatch", "-")
	if code != 0 || !strings.Contains(out, "accepted $.pgConfig") || !strings.Contains(out, "accepted $.pgBouncerConfig") {
		t.Fatalf("exit %d (%v):\n%s", code, err, out)
	}
	file := writeBody(t, `{"name":"x","provider":"aws","region":"us-east-1","ipAccessList":null}`)
	if out, code, err = run(t, "check-request", "instanceCreate", file, "--format", "json"); code != 0 {
		t.Fatalf("exit %d (%v):\n%s", code, err, out)
	}
	var got struct {
		Refused  bool
		Findings []struct {
			Path     string
			Accepted bool
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Refused || len(got.Findings) != 1 || got.Findings[0].Path != "$.ipAccessList" || !got.Findings[0].Accepted {
		t.Fatalf("got %+v (%v):\n%s", got, err, out)
	}
	// A near miss is still refused, exit 1.
	out, code, _ = runWithStdin(t, `{"name":"x","provider":"aws","region":"us-east-1","ipAccessList":5}`, "check-request", "instanceCreate", "-")
	if code != 1 || !strings.Contains(out, "refused  $.ipAccessList") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	// Bad input: exit 2.
	for _, args := range [][]string{{"check-request", "noSuchOp", file}, {"check-request", "instanceGetList", file}, {"check-request", "instanceCreate", writeBody(t, "{not json")}} {
		if _, code, err := run(t, args...); code != 2 || err == nil {
			t.Errorf("%v: exit %d (%v), want 2", args, code, err)
		}
	}
}
