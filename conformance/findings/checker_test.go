package findings

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

func newTestChecker(t testing.TB) *Checker {
	t.Helper()
	doc, err := specdoc.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChecker(doc, WithRedactionMarkers("REDACTED"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func lookup(t testing.TB, id string) spec.Operation {
	t.Helper()
	op, ok := spec.Lookup(id)
	if !ok {
		t.Fatalf("no operation %s", id)
	}
	return op
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

const validOrganization = `{"status":200,"requestId":"5b3c2f9e-1d2a-4c3b-8e7f-0a1b2c3d4e5f","result":{` +
	`"id":"9a0e6a3c-3f1e-4b7a-9c55-2b6f2d7f1e01","createdAt":"2024-01-02T03:04:05Z","name":"acme",` +
	`"privateEndpoints":[],"byocConfig":[]}}`

type want struct {
	kind Kind
	path string
}

func assertFindings(t *testing.T, got []Finding, wants ...want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(wants), dump(got))
	}
	for i, w := range wants {
		if got[i].Kind != w.kind || got[i].Path != w.path {
			t.Errorf("finding %d = %s %s, want %s %s\n%s", i, got[i].Kind, got[i].Path, w.kind, w.path, dump(got))
		}
		if got[i].OperationID == "" || got[i].Detail == "" || got[i].Status == 0 {
			t.Errorf("finding %d is incomplete: %+v", i, got[i])
		}
	}
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}

func TestCheckValidAnswerHasNoFindings(t *testing.T) {
	c := newTestChecker(t)
	got := c.Check(lookup(t, "organizationGet"), Response{Status: 200, Header: jsonHeader(), Body: []byte(validOrganization)})
	assertFindings(t, got)
}

// Each doctored answer differs from the valid one in one way and must give exactly one finding.
func TestCheckDoctoredAnswers(t *testing.T) {
	c := newTestChecker(t)
	op := lookup(t, "organizationGet")
	cases := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   want
	}{
		{"extra field", 200, jsonHeader(), strings.Replace(validOrganization, `"name":"acme"`, `"name":"acme","tier":"basic"`, 1), want{UndeclaredField, "$.result.tier"}},
		{"wrong type", 200, jsonHeader(), strings.Replace(validOrganization, `"name":"acme"`, `"name":42`, 1), want{TypeMismatch, "$.result.name"}},
		{"null", 200, jsonHeader(), strings.Replace(validOrganization, `"name":"acme"`, `"name":null`, 1), want{NullValue, "$.result.name"}},
		{"bad format", 200, jsonHeader(), strings.Replace(validOrganization, `"2024-01-02T03:04:05Z"`, `"yesterday"`, 1), want{FormatMismatch, "$.result.createdAt"}},
		{"undeclared 409", 409, jsonHeader(), `{"status":409,"requestId":"5b3c2f9e-1d2a-4c3b-8e7f-0a1b2c3d4e5f","error":"CONFLICT: busy"}`, want{UndeclaredStatus, ""}},
		{"missing requestId", 200, jsonHeader(), strings.Replace(validOrganization, `"requestId":"5b3c2f9e-1d2a-4c3b-8e7f-0a1b2c3d4e5f",`, ``, 1), want{EnvelopeAnomaly, "$.requestId"}},
		{"missing status", 200, jsonHeader(), strings.Replace(validOrganization, `"status":200,`, ``, 1), want{EnvelopeAnomaly, "$.status"}},
		{"HTML 404", 404, http.Header{"Content-Type": {"text/html; charset=utf-8"}}, `<html><body>404 Not Found</body></html>`, want{UndeclaredStatus, ""}},
		{"HTML 200", 200, http.Header{"Content-Type": {"text/html"}}, `<html></html>`, want{UndeclaredContentType, ""}},
		{"not JSON", 200, jsonHeader(), `{"status":`, want{DecodeFailure, "$"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Check(op, Response{Status: tc.status, Header: tc.header, Body: []byte(tc.body)})
			assertFindings(t, got, tc.want)
		})
	}
}

func TestCheckWrongTypeMentionsDecodeFailure(t *testing.T) {
	c := newTestChecker(t)
	body := strings.Replace(validOrganization, `"name":"acme"`, `"name":42`, 1)
	got := c.Check(lookup(t, "organizationGet"), Response{Status: 200, Header: jsonHeader(), Body: []byte(body)})
	assertFindings(t, got, want{TypeMismatch, "$.result.name"})
	if !strings.Contains(got[0].Detail, "SDK cannot decode") {
		t.Errorf("detail %q does not say the SDK failed too", got[0].Detail)
	}
}

func TestCheckDecodeFailureWithoutSchemaFinding(t *testing.T) {
	doc, err := specdoc.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	failing := map[string]Decoder{"organizationGet": func(r *http.Response) error {
		return &jsonTypeError
	}}
	c, err := NewChecker(doc, WithDecoders(failing))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Check(lookup(t, "organizationGet"), Response{Status: 200, Header: jsonHeader(), Body: []byte(validOrganization)})
	assertFindings(t, got, want{DecodeFailure, "$.result.id"})
}

func TestCheckEnumAndRequired(t *testing.T) {
	c := newTestChecker(t)
	op := lookup(t, "openapiKeyGet")
	body := `{"status":200,"requestId":"5b3c2f9e-1d2a-4c3b-8e7f-0a1b2c3d4e5f","result":{"id":"9a0e6a3c-3f1e-4b7a-9c55-2b6f2d7f1e01","name":"k","state":"paused","expireAt":null}}`
	got := c.Check(op, Response{Status: 200, Header: jsonHeader(), Body: []byte(body)})
	assertFindings(t, got, want{UnknownEnumValue, "$.result.state"})
	if !strings.Contains(got[0].Detail, `"paused"`) {
		t.Errorf("enum detail %q does not name the value", got[0].Detail)
	}
}

func TestCheckRedactedValuesAreNotFindings(t *testing.T) {
	c := newTestChecker(t)
	body := strings.Replace(validOrganization, `"5b3c2f9e-1d2a-4c3b-8e7f-0a1b2c3d4e5f"`, `"REDACTED"`, 1)
	got := c.Check(lookup(t, "organizationGet"), Response{Status: 200, Header: jsonHeader(), Body: []byte(body)})
	assertFindings(t, got)
}

func TestCheckNonJSONDeclaredBodies(t *testing.T) {
	c := newTestChecker(t)
	prom := Response{Status: 200, Header: http.Header{"Content-Type": {"text/plain; charset=UTF-8"}}, Body: []byte("# HELP x\nx 1\n")}
	assertFindings(t, c.Check(lookup(t, "organizationPrometheusGet"), prom))
	assertFindings(t, c.Check(lookup(t, "postgresOrgPrometheusGet"), prom))
	pem := Response{Status: 200, Header: http.Header{"Content-Type": {"application/x-pem-file"}}, Body: []byte("-----BEGIN CERTIFICATE-----\n")}
	assertFindings(t, c.Check(lookup(t, "postgresServiceCertsGet"), pem))
	empty := Response{Status: 201, Header: http.Header{}, Body: nil}
	assertFindings(t, c.Check(lookup(t, "udfCreate"), empty))
}

// The real answers in testdata/real-responses give the findings a reader of docs/api-behaviour.md expects.
func TestCheckRealResponses(t *testing.T) {
	c := newTestChecker(t)
	cases := []struct {
		file   string
		op     string
		status int
		want   []want // in Sort order
	}{
		{"delete-service-429-too-many-requests.json", "instanceDelete", 429, []want{{UndeclaredStatus, ""}, {EnvelopeAnomaly, "$.requestId"}, {EnvelopeAnomaly, "$.status"}}},
		{"create-service-401-key-not-found.json", "instanceCreate", 401, []want{{UndeclaredStatus, ""}, {EnvelopeAnomaly, "$.requestId"}}},
		{"list-organizations-401-no-auth-header.json", "organizationGetList", 401, []want{{UndeclaredStatus, ""}}},
		{"create-clickpipe-424-service-idle.json", "clickPipeCreate", 424, []want{{UndeclaredStatus, ""}}},
		{"patch-scaling-400-numreplicas.json", "instanceScalingUpdate", 400, []want{}},
		{"get-clickpipes-cdc-scaling-200.json", "clickPipeCdcScalingGet", 200, []want{}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "real-responses", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got := c.Check(lookup(t, tc.op), Response{Status: tc.status, Header: jsonHeader(), Body: body})
			assertFindings(t, got, tc.want...)
		})
	}
}

var jsonTypeError = json.UnmarshalTypeError{Value: "number", Type: reflect.TypeFor[string](), Field: "result.id"}

// BenchmarkCheckServiceList judges a service list answer of 50 services: the suite's heaviest
// common case.
func BenchmarkCheckServiceList(b *testing.B) {
	c := newTestChecker(b)
	op := lookup(b, "instanceGetList")
	svc := `{"id":"9a0e6a3c-3f1e-4b7a-9c55-2b6f2d7f1e01","name":"svc","provider":"aws","region":"us-east-1","state":"running",` +
		`"clickhouseVersion":"24.8","endpoints":[{"protocol":"https","host":"x.clickhouse.cloud","port":8443}],"tier":"production",` +
		`"idleScaling":true,"idleTimeoutMinutes":15,"ipAccessList":[{"source":"0.0.0.0/0","description":"any"}],"createdAt":"2024-01-02T03:04:05Z",` +
		`"autoscalingMode":"vertical","currentScaling":{}}`
	body := `{"status":200,"requestId":"5b3c2f9e-1d2a-4c3b-8e7f-0a1b2c3d4e5f","result":[` + strings.Repeat(svc+",", 49) + svc + `]}`
	resp := Response{Status: 200, Header: jsonHeader(), Body: []byte(body)}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		c.Check(op, resp)
	}
}
