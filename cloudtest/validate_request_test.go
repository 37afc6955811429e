package cloudtest

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

const kafkaPipeBody = `{"name":"events","source":{"kafka":{"type":"msk","format":"JSONEachRow","brokers":"b-1.example:9098",
 "topics":"events","authentication":"IAM_ROLE","iamRole":"arn:aws:iam::123456789012:role/ClickPipes","credentials":null}},
 "destination":{"database":"default","table":"events","managedTable":true,
  "columns":[{"name":"id","type":"UInt64"},{"name":"body","type":"String"}]},
 "fieldMappings":[{"sourceField":"id","destinationField":"id"},{"sourceField":"body","destinationField":"body"}]}`

// bodyCheck runs the fake's body validation for one operation, as the server does per request.
func bodyCheck(tb testing.TB, operationID string) func(body string) error {
	tb.Helper()
	doc, err := specdoc.OpenAPI()
	if err != nil {
		tb.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID != operationID {
				continue
			}
			return func(body string) error {
				r := httptest.NewRequest(method, path, strings.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				verdict, err := specdoc.CheckRequestBody(operationID, []byte(body))
				return validateBody(r, []byte(body), op.RequestBody.Value, verdict, err)
			}
		}
	}
	tb.Fatalf("no operation %s", operationID)
	return nil
}

// BenchmarkValidateBody measures the body validation the fake does on every request, for a
// small body (service create) and a large union-typed one (a Kafka ClickPipe), accepted and
// refused. (A refused body used to cost milliseconds: kin-openapi's JSON Schema 2020 validator,
// which had the last word, compiled the schema on every call.)
func BenchmarkValidateBody(b *testing.B) {
	pipe := strings.Replace(kafkaPipeBody, `"credentials":null`, `"credentials":{"accessKeyId":"AKIA","secretKey":"s"}`, 1)
	for _, c := range []struct {
		name, op, body string
		refused        bool
	}{
		{"instanceCreate", "instanceCreate", `{"name":"bench","provider":"aws","region":"us-east-1","ipAccessList":[{"source":"10.0.0.1","description":"office"}]}`, false},
		{"instanceCreate/refused", "instanceCreate", `{"name":"bench","provider":"aws","region":"us-east-1","ipAccessList":5}`, true},
		{"clickPipeCreate", "clickPipeCreate", pipe, false},
		{"clickPipeCreate/refused", "clickPipeCreate", strings.Replace(pipe, `"topics":"events"`, `"topics":5`, 1), true},
	} {
		b.Run(c.name, func(b *testing.B) {
			check := bodyCheck(b, c.op)
			b.ReportAllocs()
			for b.Loop() {
				if err := check(c.body); (err != nil) != c.refused {
					b.Fatalf("refused %v: %v", c.refused, err)
				}
			}
		})
	}
}

// TestAcceptsWhatTheRealAPIAccepts: the requests of specdoc's request-deviations.yaml, which the
// document forbids and the real API accepts, succeed against the fake too.
func TestAcceptsWhatTheRealAPIAccepts(t *testing.T) {
	s := newTestServer(t, WithProvisioningDelay(0))
	org := "/v1/organizations/" + s.OrganizationID
	created := mustResult(t, s, 200, "POST", org+"/services",
		json.RawMessage(`{"name":"tf","provider":"aws","region":"us-east-1","ipAccessList":null}`))
	svc := created["service"].(map[string]any)
	if list, ok := svc["ipAccessList"].([]any); !ok || len(list) != 0 {
		t.Errorf("ipAccessList null made %v, want an empty list", svc["ipAccessList"])
	}
	svcID := svc["id"].(string)

	pg := mustResult(t, s, 200, "POST", org+"/postgres", map[string]any{"name": "pg", "provider": "aws", "region": "us-east-1", "size": "r8gd.medium"})
	for _, method := range []string{"POST", "PATCH"} {
		resp, raw := call(t, s, method, org+"/postgres/"+pg["id"].(string)+"/config", json.RawMessage(`{"pgConfig":{},"pgBouncerConfig":{}}`))
		if resp.StatusCode != 200 {
			t.Errorf("%s config with empty objects: %d %s", method, resp.StatusCode, raw)
		}
	}

	resp, raw := call(t, s, "POST", org+"/services/"+svcID+"/clickpipes", json.RawMessage(kafkaPipeBody))
	if resp.StatusCode != 200 {
		t.Errorf("Kafka IAM_ROLE pipe with credentials null: %d %s", resp.StatusCode, raw)
	}
}

// TestBadRequestMessages pins the fake's BAD_REQUEST messages for bodies: the field as the real
// API writes it ("request body.a.b"), the broken rule in words, and for a union the form that was
// judged and the property that chose it.
func TestBadRequestMessages(t *testing.T) {
	s := newTestServer(t, WithProvisioningDelay(0))
	org := "/v1/organizations/" + s.OrganizationID
	svcID := mustResult(t, s, 200, "POST", org+"/services", map[string]any{"name": "x", "provider": "aws", "region": "us-east-1"})["service"].(map[string]any)["id"].(string)
	pgID := mustResult(t, s, 200, "POST", org+"/postgres", map[string]any{"name": "pg", "provider": "aws", "region": "us-east-1", "size": "r8gd.medium"})["id"].(string)
	for _, c := range []struct {
		name, method, path, body string
		want                     []string
		not                      []string
	}{
		{"ipAccessList not a list", "POST", org + "/services", `{"name":"x","provider":"aws","region":"us-east-1","ipAccessList":5}`,
			[]string{"BAD_REQUEST: request body.ipAccessList: declared array, got number"}, nil},
		{"null elsewhere", "POST", org + "/services", `{"name":"x","provider":"aws","region":null,"ipAccessList":null}`,
			[]string{"BAD_REQUEST: request body.region: null in a field that is not nullable"}, []string{"ipAccessList"}},
		{"pg parameter type", "PATCH", org + "/postgres/" + pgID + "/config", `{"pgConfig":{"max_connections":true},"pgBouncerConfig":{}}`,
			[]string{"BAD_REQUEST: request body.pgConfig.max_connections: declared string or integer, got boolean"}, []string{"pgBouncerConfig"}},
		{"pg password", "PATCH", org + "/postgres/" + pgID + "/password", `{"password":"abcdefghijklmnop"}`,
			[]string{"BAD_REQUEST: request body.password: needs an upper-case letter and a digit"}, []string{"allOf"}},
		{"bucket form", "POST", org + "/services/" + svcID + "/backupBucket", `{"bucketProvider":"GCP","bucketPath":"gs://b","accessKeyId":1}`,
			[]string{"BAD_REQUEST: request body.accessKeyId: declared string, got number", `GcpBackupBucketPostRequestV1, chosen at / by bucketProvider "GCP"`},
			[]string{"Aws", "Azure"}},
		{"pubsub form", "POST", org + "/services/" + svcID + "/clickpipes",
			`{"name":"p","source":{"pubsub":{"authentication":"SERVICE_ACCOUNT","projectId":"p","topic":"t","format":"JSONEachRow","seekType":"sometime"}},"destination":{"database":"d","table":"t","managedTable":true}}`,
			[]string{"request body.source.pubsub.seekType: \"sometime\" is not one of the declared values", `chosen at /source/pubsub by authentication "SERVICE_ACCOUNT"`},
			[]string{"WORKLOAD"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, raw := call(t, s, c.method, c.path, json.RawMessage(c.body))
			if resp.StatusCode != 400 {
				t.Fatalf("status %d: %s", resp.StatusCode, raw)
			}
			var env struct{ Error string }
			if err := json.Unmarshal(raw, &env); err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(env.Error, w) {
					t.Errorf("error %q lacks %q", env.Error, w)
				}
			}
			for _, n := range c.not {
				if strings.Contains(env.Error, n) {
					t.Errorf("error %q mentions %q", env.Error, n)
				}
			}
		})
	}
}
