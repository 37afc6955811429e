package api

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/spec"
)

func run(t *testing.T, env *clitest.Env, opts Options) (map[string]any, error) {
	t.Helper()
	env.Out.Reset()
	opts.F = env.F
	err := Run(t.Context(), &opts)
	if err != nil {
		return nil, err
	}
	var body map[string]any
	env.DecodeOut(t, &body)
	return body, nil
}

func TestOperationsWithoutCuratedCommands(t *testing.T) {
	env := clitest.New(t, false)
	created, err := run(t, env, Options{Args: []string{"instanceCreate"},
		Fields:    []string{"name=via-api", "provider=aws", "region=us-east-1", "idleScaling=false"},
		RawFields: []string{"releaseChannel=default"}})
	if err != nil {
		t.Fatal(err)
	}
	svc := created["result"].(map[string]any)["service"].(map[string]any)
	id := svc["id"].(string)
	if svc["idleScaling"] != false {
		t.Errorf("-f idleScaling=false was not sent as a boolean: %v", svc["idleScaling"])
	}

	// By operationId, and by METHOD PATH with the template's own {organizationId}.
	got, err := run(t, env, Options{Args: []string{"scalingScheduleGet"}, Params: []string{"serviceId=" + id}})
	if err != nil {
		t.Fatalf("scalingScheduleGet: %v", err)
	}
	if got["status"] == nil {
		t.Errorf("want the whole envelope, got %v", got)
	}
	got, err = run(t, env, Options{Args: []string{"get", "/v1/organizations/{organizationId}/services/" + id}})
	if err != nil {
		t.Fatal(err)
	}
	if got["result"].(map[string]any)["name"] != "via-api" {
		t.Errorf("GET by path = %v", got)
	}

	env.F.Output.JQ = ".result.name"
	env.Out.Reset()
	if err := Run(t.Context(), &Options{F: env.F, Args: []string{"instanceGet"}, Params: []string{"serviceId=" + id}}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(env.Out.String()) != "via-api" {
		t.Errorf("--jq .result.name = %q", env.Out)
	}
}

func TestRequestsAreCheckedAgainstTheDocument(t *testing.T) {
	env := clitest.New(t, false)
	svc := "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53"
	cases := []struct {
		name  string
		opts  Options
		names string // what the error must mention
	}{
		{"wrong body type", Options{Args: []string{"instanceCreate"}, Fields: []string{"name=x", "provider=aws", "region=us-east-1", "numReplicas=lots"}}, "numReplicas"},
		{"enum", Options{Args: []string{"instanceCreate"}, Fields: []string{"name=x", "provider=ibm", "region=us-east-1"}}, "provider"},
		{"malformed path id", Options{Args: []string{"instanceGet"}, Params: []string{"serviceId=abc"}}, `path parameter "serviceId": the value is not a valid uuid`},
		{"query out of range", Options{Args: []string{"activeBalancesGet"}, Params: []string{"limit=0"}}, `query parameter "limit": must be at least 1`},
		{"query not an integer", Options{Args: []string{"activeBalancesGet"}, Params: []string{"limit=ten"}}, `query parameter "limit": declared integer`},
		{"required query missing", Options{Args: []string{"usageCostGet"}, Params: []string{"to_date=2025-01-01"}}, `query parameter "from_date": required but missing`},
		{"unknown parameter", Options{Args: []string{"instanceGet"}, Params: []string{"serviceId=" + svc, "color=red"}}, "color"},
		{"missing path parameter", Options{Args: []string{"instanceGet"}}, "serviceId"},
		{"unknown operation", Options{Args: []string{"instanceGett"}}, "instanceGet"},
		{"unknown route", Options{Args: []string{"GET", "/v1/nothing/here"}}, "/v1/nothing/here"},
		{"wrong method", Options{Args: []string{"PUT", "/v1/organizations"}}, "GET"},
		{"body on a GET", Options{Args: []string{"instanceGetList"}, Fields: []string{"a=1"}}, "no request body"},
	}
	for _, c := range cases {
		_, err := run(t, env, c.opts)
		if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), c.names) {
			t.Errorf("%s: %v (exit %d), want a usage error naming %q", c.name, err, cmdutil.ExitCode(err), c.names)
		}
	}
}

func TestDryRunPrintsTheRequest(t *testing.T) {
	env := clitest.New(t, false)
	env.F.DryRun = true
	env.Out.Reset()
	err := Run(t.Context(), &Options{F: env.F, Args: []string{"openapiKeyCreate"},
		Fields: []string{"name=ci", "roles[]=developer"}})
	if err != nil {
		t.Fatal(err)
	}
	out := env.Out.String()
	if !strings.HasPrefix(out, "POST "+env.Server.URL+"/v1/organizations/"+env.Server.OrganizationID+"/keys\n") {
		t.Errorf("dry run = %q", out)
	}
	if strings.Contains(out, env.Server.KeySecret) || !strings.Contains(out, `"roles": [`) {
		t.Errorf("dry run must show the body and hide credentials: %q", out)
	}
}

func TestBuildBody(t *testing.T) {
	body, err := buildBody(
		[]string{"n=3", "f=1.5", "b=true", "z=null", "s=text", "o.k=1", "list[]=1", "list[]=2", `j={"a":[1]}`},
		[]string{"raw=42"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"n": int64(3), "f": 1.5, "b": true, "z": nil, "s": "text", "o": map[string]any{"k": int64(1)},
		"list": []any{int64(1), int64(2)}, "j": map[string]any{"a": []any{float64(1)}}, "raw": "42"}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("buildBody = %#v\nwant %#v", body, want)
	}
	for _, bad := range [][]string{{"novalue"}, {"=x"}, {"a=1", "a.b=2"}} {
		if _, err := buildBody(bad, nil); err == nil {
			t.Errorf("buildBody(%q) accepted", bad)
		}
	}
}

func TestListOperations(t *testing.T) {
	env := clitest.NewOffline(t, false)
	env.F.Output.JQ = "length"
	if err := Run(t.Context(), &Options{F: env.F, List: true}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(env.Out.String()) != "148" {
		t.Errorf("api --list | length = %s, want the document's 148 operations", env.Out)
	}
}

// Every operation of the document is reachable, by operationId and by METHOD PATH.
func TestEveryOperationIsReachable(t *testing.T) {
	ops, err := spec.Operations()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		byID, _, err := findOperation([]string{op.ID})
		if err != nil || byID.ID != op.ID {
			t.Errorf("api %s: %v", op.ID, err)
		}
		byPath, _, err := findOperation([]string{strings.ToLower(op.Method), op.Path})
		if err != nil || byPath.ID != op.ID {
			t.Errorf("api %s %s: got %s, %v", op.Method, op.Path, byPath.ID, err)
		}
	}
}

// Requests the real API accepts although the document forbids them (specdoc's
// request-deviations.yaml) pass the check and succeed against the fake.
func TestAcceptsWhatTheRealAPIAccepts(t *testing.T) {
	env := clitest.New(t, false)
	input := func(body string) string {
		path := filepath.Join(t.TempDir(), "body.json")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	created, err := run(t, env, Options{Args: []string{"instanceCreate"},
		Input: input(`{"name":"from-terraform","provider":"aws","region":"us-east-1","ipAccessList":null}`)})
	if err != nil {
		t.Fatalf(`instanceCreate with "ipAccessList": null: %v`, err)
	}
	if name := created["result"].(map[string]any)["service"].(map[string]any)["name"]; name != "from-terraform" {
		t.Errorf("created %v", created)
	}

	pg, err := run(t, env, Options{Args: []string{"postgresServiceCreate"},
		Fields: []string{"name=pg", "provider=aws", "region=us-east-1", "size=r8gd.medium"}})
	if err != nil {
		t.Fatal(err)
	}
	pgID := pg["result"].(map[string]any)["id"].(string)
	for _, op := range []string{"postgresInstanceConfigPost", "postgresInstanceConfigPatch"} {
		if _, err := run(t, env, Options{Args: []string{op}, Params: []string{"postgresId=" + pgID},
			Input: input(`{"pgConfig":{},"pgBouncerConfig":{}}`)}); err != nil {
			t.Errorf("%s with empty pgConfig and pgBouncerConfig: %v", op, err)
		}
	}
	// A near miss is still refused before sending.
	_, err = run(t, env, Options{Args: []string{"postgresInstanceConfigPatch"}, Params: []string{"postgresId=" + pgID},
		Input: input(`{"pgConfig":{"max_connections":true},"pgBouncerConfig":{}}`)})
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), `"/pgConfig/max_connections": declared string or integer, got boolean`) {
		t.Errorf("a wrong pgConfig parameter: %v", err)
	}
}

// Body errors name the broken rule in words and, for a union, the form judged and the property
// that chose it; never "doesn't match all schemas from allOf", never another form's rule.
func TestBodyErrorsNameTheRuleAndTheForm(t *testing.T) {
	env := clitest.New(t, false)
	id := "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53"
	cases := []struct {
		name      string
		opts      Options
		want, not []string
	}{
		{"postgres password", Options{Args: []string{"postgresServiceSetPassword"}, Params: []string{"postgresId=" + id},
			RawFields: []string{"password=abcdefghijklmnop"}},
			[]string{`request body: field "/password": needs an upper-case letter and a digit`}, []string{"allOf", "schemas"}},
		{"backup bucket", Options{Args: []string{"backupBucketCreate"}, Params: []string{"serviceId=" + id},
			Fields: []string{"bucketProvider=GCP", "bucketPath=gs://b/backups", "accessKeyId=1", "secretAccessKey=s"}},
			[]string{`field "/accessKeyId": declared string, got number`, `judged as GcpBackupBucketPostRequestV1, chosen at / by bucketProvider "GCP"`},
			[]string{"Aws", "Azure", "iamRoleArn", "oneOf"}},
	}
	for _, c := range cases {
		_, err := run(t, env, c.opts)
		clitest.WantUsageSaying(t, c.name, err, c.want, c.not)
	}
}

// On a terminal `api --list` shows whole paths: "METHOD PATH" of any line, pasted back after
// `chcloud api`, is that line's operation.
func TestListOnTerminalShowsPathsThatPasteBack(t *testing.T) {
	env := clitest.NewOffline(t, true)
	if err := Run(t.Context(), &Options{F: env.F, List: true}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(env.Out.String()), "\n")
	if len(lines) != 149 || strings.Join(strings.Fields(lines[0]), " ") != "OPERATION METHOD PATH" {
		t.Fatalf("api --list on a terminal: %d lines, header %q", len(lines), lines[0])
	}
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if len(fields) != 3 || !strings.HasPrefix(fields[2], "/v1") {
			t.Fatalf("line %q: want OPERATION METHOD /v1/...", line)
		}
		op, _, err := findOperation(fields[1:])
		if err != nil || op.ID != fields[0] {
			t.Errorf("pasting %q back: %s, %v; want %s", strings.Join(fields[1:], " "), op.ID, err, fields[0])
		}
	}
}
