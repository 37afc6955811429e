package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEndToEndQuirks runs the CLI against `chcloud mock serve`, whose quirks (on by default)
// answer as the real API does where the document says otherwise: every command must still work.
func TestEndToEndQuirks(t *testing.T) {
	f := startFake(t)
	r := f.ok(t, "service", "create", "--name", "quirks", "--provider", "aws", "--region", "us-east-1", "--wait")
	var created struct{ Service struct{ ID string } }
	if err := json.Unmarshal([]byte(r.stdout), &created); err != nil {
		t.Fatal(err)
	}
	id := created.Service.ID

	// start on a running service: the real API has answered that with a bare {}.
	f.ok(t, "service", "start", id)

	// A Kafka pipe: its answers carry "reversePrivateEndpointIds": null; DELETE answers an empty body.
	dir := t.TempDir()
	pipe := filepath.Join(dir, "pipe.json")
	body := `{"name":"quirkpipe","source":{"kafka":{"type":"msk","format":"JSONEachRow","brokers":"b-1.example:9098","topics":"events",
		"authentication":"IAM_ROLE","iamRole":"arn:aws:iam::123456789012:role/r","credentials":null}},
		"destination":{"database":"default","table":"t","managedTable":true,"tableDefinition":{"engine":{"type":"MergeTree"}},
		"columns":[{"name":"a","type":"String"}]}}`
	if err := os.WriteFile(pipe, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r = f.ok(t, "clickpipe", "create", id, "--file", pipe) // credentials null: the real API accepts it
	var p struct {
		ID     string
		Source struct{ Kafka map[string]any }
	}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil || p.ID == "" {
		t.Fatalf("clickpipe create: %v\n%s", err, r.stdout)
	}
	if v, present := p.Source.Kafka["reversePrivateEndpointIds"]; !present || v != nil {
		t.Errorf("the fake's quirk should answer reversePrivateEndpointIds null, got %v (present %v)", v, present)
	}
	f.ok(t, "clickpipe", "get", id, p.ID)
	f.ok(t, "clickpipe", "delete", id, p.ID, "--yes")

	// ClickHouse settings come back as numbers where the document declares strings: the SDK
	// quotes them, so scripts get the declared type.
	r = f.ok(t, "api", "serviceClickhouseSettingsListGet", "-p", "serviceId="+id)
	if !strings.Contains(r.stdout, `"value": "8"`) {
		t.Errorf("settings list should carry the quoted number:\n%s", r.stdout)
	}

	// Stopped: awake is refused with a plain-text 400 under application/json; the CLI explains.
	f.ok(t, "service", "stop", id, "--wait")
	r = f.run(t, nil, "service", "wake", id)
	if r.code != 1 || !strings.Contains(r.stderr, "wake does nothing") || !strings.Contains(r.stderr, "chcloud service start "+id) {
		t.Errorf("wake on a stopped service: exit %d\n%s", r.code, r.stderr)
	}
	// ClickPipe create on a service that is not running: 424, message only.
	r = f.run(t, nil, "clickpipe", "create", id, "--file", pipe)
	if r.code != 1 || !strings.Contains(r.stderr, "FAILED_DEPENDENCY") {
		t.Errorf("clickpipe create on a stopped service: exit %d\n%s", r.code, r.stderr)
	}
	// DELETE answers 409 for a while after stopping; delete waits it out.
	f.ok(t, "service", "delete", id, "--wait", "--yes")

	// An unrouted path gets the gateway's HTML 404, which the CLI tells apart from a missing item.
	r = f.run(t, nil, "api", "GET", "/v1/nothing/here")
	if r.code == 0 {
		t.Errorf("an unknown route succeeded:\n%s", r.stdout)
	}
}

// TestEndToEndCheckCommands judges an answer and a request body through the built binary.
func TestEndToEndCheckCommands(t *testing.T) {
	f := &fake{env: []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}}
	r := f.run(t, nil, "spec", "check-response", "instanceDelete", "429", "../../testdata/real-responses/delete-service-429-too-many-requests.json")
	if r.code != 0 || !strings.Contains(r.stdout, "0 new, 3 known") {
		t.Errorf("check-response on the real 429: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	body := filepath.Join(t.TempDir(), "pg.json")
	if err := os.WriteFile(body, []byte(`{"password":"abcdefghijklmnop"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r = f.run(t, nil, "spec", "check-request", "postgresServiceSetPassword", body)
	if r.code != 1 || !strings.Contains(r.stdout, "needs an upper-case letter and a digit") {
		t.Errorf("check-request: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = f.run(t, nil, "spec", "check-response", "instanceDelete", "429", filepath.Join(t.TempDir(), "missing"))
	if r.code != 2 {
		t.Errorf("a missing file: exit %d, want 2", r.code)
	}
}
