package cloud

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// TestOneBadDateDoesNotLoseTheList: a list whose fourth service has a createdAt that is not
// RFC 3339 decodes, that field nil, and DecodeWarnings names it without its value.
func TestOneBadDateDoesNotLoseTheList(t *testing.T) {
	items := make([]string, 5)
	for i := range items {
		items[i] = realisticService(i)
	}
	items[3] = strings.Replace(items[3], `"createdAt":"2025-03-04T10:11:12Z"`, `"createdAt":"2025-03-04 10:11:12 secret-ish"`, 1)
	c := serve(t, 200, `{"status":200,"requestId":"r","result":[`+strings.Join(items, ",")+`]}`)

	resp, err := c.InstanceGetListWithResponse(context.Background(), testOrg, nil)
	services, err := Result(resp, err)
	if err != nil {
		t.Fatal(err)
	}
	if len(services) != 5 || services[3].CreatedAt != nil || services[2].CreatedAt == nil || *services[3].Name != "analytics-3" {
		t.Fatalf("decoded %d services, [3].createdAt %v", len(services), services[3].CreatedAt)
	}
	want := []DecodeWarning{{Path: "$.result[3].createdAt", Want: "date-time", Got: "string"}}
	if got := DecodeWarnings(resp); !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeWarnings = %v, want %v", got, want)
	}
	if got := DecodeWarnings(resp.HTTPResponse); !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeWarnings(*http.Response) = %v, want %v", got, want)
	}
	if s := want[0].String(); strings.Contains(s, "secret") || s != "$.result[3].createdAt: dropped a string where the document declares date-time" {
		t.Errorf("String() = %q", s)
	}
	// A clean answer has none.
	clean, _ := serve(t, 200, serviceBody("s", "running")).InstanceGetWithResponse(context.Background(), testOrg, "s")
	if got := DecodeWarnings(clean); got != nil {
		t.Errorf("warnings for a clean answer: %v", got)
	}
	if DecodeWarnings(nil) != nil || DecodeWarnings(42) != nil || DecodeWarnings((*cloudapi.InstanceGetResponse)(nil)) != nil {
		t.Error("warnings for no answer")
	}
}

// TestValuesOfTheWrongKindAreDropped: any value the generated type cannot take becomes null;
// numbers where strings are declared are still quoted, not dropped.
func TestValuesOfTheWrongKindAreDropped(t *testing.T) {
	body := `{"status":200,"requestId":"r","result":{"id":"s","name":{"first":"x"},"numReplicas":"3","isPrimary":"yes",` +
		`"minTotalMemoryGb":1e40,"maxTotalMemoryGb":2.5,"numReplicasX":"undeclared, kept","idleScaling":1,"clickhouseVersion":25.8,` +
		`"endpoints":{"port":9440},"tags":[{"key":"k","value":"v"},"not a tag",{"key":["a"]}],"minReplicas":1.5}}`
	c := serve(t, 200, body)
	resp, err := c.InstanceGetWithResponse(context.Background(), testOrg, "s")
	svc, err := Result(resp, err)
	if err != nil {
		t.Fatal(err)
	}
	if *svc.ID != "s" || svc.Name != nil || *svc.ClickhouseVersion != "25.8" || *svc.MaxTotalMemoryGB != 2.5 || len(svc.Tags) != 3 || svc.Tags[0].Key != "k" {
		t.Errorf("decoded %+v", svc)
	}
	want := []string{
		"$.result.name: dropped a object where the document declares string",
		"$.result.numReplicas: dropped a string where the document declares integer",
		"$.result.isPrimary: dropped a string where the document declares boolean",
		"$.result.minTotalMemoryGb: dropped a number where the document declares number",
		"$.result.idleScaling: dropped a number where the document declares boolean",
		"$.result.endpoints: dropped a object where the document declares array",
		"$.result.tags[1]: dropped a string where the document declares object",
		"$.result.tags[2].key: dropped a array where the document declares string",
		"$.result.minReplicas: dropped a number where the document declares integer",
	}
	var got []string
	for _, w := range DecodeWarnings(resp) {
		got = append(got, w.String())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestNullDecodesToTheZeroValue: what a dropped value becomes in each generated date type.
func TestNullDecodesToTheZeroValue(t *testing.T) {
	var v struct {
		Ptr      *cloudapi.Service                 `json:"ptr"`
		Nullable cloudapi.APIKey                   `json:"key"`
		Value    cloudapi.ClickStackGenericWebhook `json:"webhook"`
		Date     cloudapi.UsageCostRecord          `json:"cost"`
	}
	in := `{"ptr":{"createdAt":null},"key":{"createdAt":null,"expireAt":null},"webhook":{"createdAt":null},"cost":{"date":null}}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.Ptr.CreatedAt != nil || v.Nullable.CreatedAt != nil || !v.Nullable.ExpireAt.IsNull() || !v.Value.CreatedAt.IsZero() || v.Date.Date != nil {
		t.Errorf("%+v", v)
	}
}

// TestHTTPClientAnswersCarryWarnings: the conformance suite reads answers through
// Client.HTTPClient() and asks DecodeWarnings of the *http.Response.
func TestHTTPClientAnswersCarryWarnings(t *testing.T) {
	c := serve(t, 200, `{"status":200,"result":[{"id":"a","createdAt":"x"},{"id":"b","createdAt":"2025-03-04T10:11:12Z"}]}`)
	resp, err := c.HTTPClient().Get(c.BaseURL() + "/v1/organizations/o/services")
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := cloudapi.ParseInstanceGetListResponse(resp)
	if err != nil || parsed.JSON200 == nil || len(parsed.JSON200.Result) != 2 {
		t.Fatalf("%+v %v", parsed, err)
	}
	if got := DecodeWarnings(resp); len(got) != 1 || got[0].Path != "$.result[0].createdAt" {
		t.Errorf("warnings %v", got)
	}
}
