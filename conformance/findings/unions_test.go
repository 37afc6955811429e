package findings

import (
	"fmt"
	"strings"
	"testing"
)

// The shapes of issue 11: values of union types, judged by the form they belong to. Before the
// checker chose forms, each of these raised false findings (see the closing note of that issue).

const kafkaPipe = `{"createdAt":"2026-11-26T02:04:51Z","destination":{"columns":[{"name":"c","type":"String"}],` +
	`"database":"db","managedTable":true,"table":"t"},"fieldMappings":[],"id":"58029873-9581-400c-94f4-92e42858a266",` +
	`"name":"pipe","serviceId":"54f06172-e2f0-4b2e-9c69-8610a5e59be4",` +
	`"source":{"kafka":{"authentication":"PLAIN","brokers":"b:9092","format":"JSONEachRow","topics":"t","type":"confluent",` +
	`"reversePrivateEndpointIds":null}},"state":"Running","updatedAt":"2026-11-26T02:04:51Z"}`

const metricSourceItem = `{"id":"507f1f77bcf86cd799439051","name":"metrics","kind":"metric","connection":"507f1f77bcf86cd799439012",` +
	`"from":{"databaseName":"otel","tableName":""},"timestampValueExpression":"TimeUnix","resourceAttributesExpression":"ResourceAttributes",` +
	`"metricTables":{"gauge":"otel_metrics_gauge","sum":"otel_metrics_sum","histogram":"otel_metrics_histogram"}}`

const genericWebhookItem = `{"createdAt":"2026-11-16T11:04:51Z","id":"65f5e4a3b9e77c001a789012","name":"Generic",` +
	`"service":"generic","updatedAt":"2026-11-10T02:04:51Z","url":"https://example.com/hook","body":"{}"}`

func envelopeOf(result string) string {
	return `{"status":200,"requestId":"5b3c2f9e-1d2a-4c3b-8e7f-0a1b2c3d4e5f","result":` + result + `}`
}

var unionCases = []struct {
	name, op, body string
	want           []want
}{
	{"kafka pipe with null reversePrivateEndpointIds", "clickPipeGetList", envelopeOf("[" + kafkaPipe + "]"),
		[]want{{NullValue, "$.result[0].source.kafka.reversePrivateEndpointIds"}}},
	{"clickstack metric source", "clickStackListSources", envelopeOf("[" + metricSourceItem + "]"), nil},
	{"clickstack metric source without metricTables", "clickStackListSources",
		envelopeOf("[" + strings.Replace(metricSourceItem, `"metricTables"`, `"metricTablez"`, 1) + "]"),
		[]want{{MissingRequired, "$.result[0].metricTables"}, {UndeclaredField, "$.result[0].metricTablez"}}},
	{"generic webhook", "clickStackListWebhooks", envelopeOf("[" + genericWebhookItem + "]"), nil},
	{"generic webhook without createdAt", "clickStackListWebhooks",
		envelopeOf("[" + strings.Replace(genericWebhookItem, `"createdAt":"2026-11-16T11:04:51Z",`, "", 1) + "]"),
		[]want{{MissingRequired, "$.result[0].createdAt"}}},
	{"source of a kind no form has", "clickStackListSources",
		envelopeOf("[" + strings.Replace(metricSourceItem, `"kind":"metric"`, `"kind":"profile"`, 1) + "]"),
		[]want{{UnknownEnumValue, "$.result[0].kind"}}},
	{"gcp backup bucket", "backupBucketGet",
		envelopeOf(`{"id":"0b3f9c55-2b6f-4d7f-9e01-9a0e6a3c3f1e","bucketProvider":"GCP","bucketPath":"gs://b/p","accessKeyId":"GOOG1"}`), nil},
	{"bad createdAt in the fourth pipe", "clickPipeGetList",
		envelopeOf("[" + strings.Repeat(kafkaPipe+",", 3) + strings.Replace(kafkaPipe, `"createdAt":"2026-11-26T02:04:51Z"`, `"createdAt":"yesterday"`, 1) + "]"),
		[]want{
			{NullValue, "$.result[0].source.kafka.reversePrivateEndpointIds"},
			{NullValue, "$.result[1].source.kafka.reversePrivateEndpointIds"},
			{NullValue, "$.result[2].source.kafka.reversePrivateEndpointIds"},
			{FormatMismatch, "$.result[3].createdAt"},
			{NullValue, "$.result[3].source.kafka.reversePrivateEndpointIds"},
		}},
}

func TestUnionsAreJudgedByTheirForm(t *testing.T) {
	c := newTestChecker(t)
	for _, tc := range unionCases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Check(lookup(t, tc.op), Response{Status: 200, Header: jsonHeader(), Body: []byte(tc.body)})
			assertFindings(t, got, tc.want...)
		})
	}
}

// TestUnionFindingsPerKind counts the findings per kind over the union cases, the figure the
// closing note of issue 11 compares before and after (go test -v prints it), and checks it is the
// sum of what the cases expect: nothing beyond them.
func TestUnionFindingsPerKind(t *testing.T) {
	c := newTestChecker(t)
	got, want := map[Kind]int{}, map[Kind]int{}
	for _, tc := range unionCases {
		for _, f := range c.Check(lookup(t, tc.op), Response{Status: 200, Header: jsonHeader(), Body: []byte(tc.body)}) {
			got[f.Kind]++
		}
		for _, w := range tc.want {
			want[w.kind]++
		}
	}
	var parts []string
	for _, k := range Kinds {
		if got[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, got[k]))
		}
		if got[k] != want[k] {
			t.Errorf("%s: %d findings, the cases expect %d", k, got[k], want[k])
		}
	}
	t.Logf("union cases: findings per kind: %s", strings.Join(parts, " "))
}

func TestUnionFindingNamesItsForm(t *testing.T) {
	c := newTestChecker(t)
	body := envelopeOf("[" + strings.Replace(genericWebhookItem, `"createdAt":"2026-11-16T11:04:51Z",`, "", 1) + "]")
	got := c.Check(lookup(t, "clickStackListWebhooks"), Response{Status: 200, Header: jsonHeader(), Body: []byte(body)})
	if len(got) != 1 || !strings.Contains(got[0].Form, "ClickStackGenericWebhook") || !strings.Contains(got[0].Form, `service "generic"`) {
		t.Fatalf("the finding does not name the generic form: %+v", got)
	}
}

func TestDecodeFailureKeepsArrayIndices(t *testing.T) {
	body := []byte(`{"result":[{"name":"a"},{"name":"b"},{"name":7}]}`)
	if got := resolveField(body, []string{"result", "name"}, "number"); got != "$.result[2].name" {
		t.Fatalf("got %s", got)
	}
	if got := resolveField(body, []string{"result", "missing"}, "number"); got != "$.result.missing" {
		t.Fatalf("unresolvable field: got %s", got)
	}
}
