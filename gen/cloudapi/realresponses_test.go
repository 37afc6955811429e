package cloudapi_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"reflect"
	"testing"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// TestRealResponsesDecode feeds the bodies the live API really returned (testdata/real-responses)
// to the generated parser of the operation that produced them, and states what the generated code
// can do with each today. Statuses the document does not declare (401, 424, 429) have no typed
// field: the body stays only in Body, and package cloud turns it into an *APIError.
func TestRealResponsesDecode(t *testing.T) {
	cases := []struct {
		file   string
		status int
		parse  func(*http.Response) (any, error)
		// typedField is the JSONnnn field the parser fills, or "" when the status is undeclared.
		typedField string
		check      func(t *testing.T, parsed any)
	}{
		{
			file: "get-clickpipes-cdc-scaling-200.json", status: 200, typedField: "JSON200",
			parse: func(r *http.Response) (any, error) { return cloudapi.ParseClickPipeCDCScalingGetResponse(r) },
			check: func(t *testing.T, parsed any) {
				got := parsed.(*cloudapi.ClickPipeCDCScalingGetResponse).JSON200
				if got.RequestID == nil || *got.RequestID != "04310d9e-1126-4c03-9b05-2aa884dbecb7" || got.Status == nil || *got.Status != 200 || got.Result == nil {
					t.Errorf("envelope = %+v", got)
				}
				if got.Result.ReplicaCPUMillicores == nil || *got.Result.ReplicaCPUMillicores != 2000 ||
					got.Result.ReplicaMemoryGB == nil || *got.Result.ReplicaMemoryGB != 8 {
					t.Errorf("result = %+v", got.Result)
				}
			},
		},
		{
			file: "patch-scaling-400-numreplicas.json", status: 400, typedField: "JSON400",
			parse: func(r *http.Response) (any, error) { return cloudapi.ParseInstanceScalingUpdateResponse(r) },
			check: func(t *testing.T, parsed any) {
				got := parsed.(*cloudapi.InstanceScalingUpdateResponse).JSON400
				if got.Error == nil || *got.Error != "BAD_REQUEST: request body.numReplicas: Number of replicas must be greater than 3 <number:0>" ||
					got.RequestID == nil || *got.RequestID != "2b03ac68-e70b-4eb7-a0c5-4e6c54476de8" {
					t.Errorf("error envelope = %+v", got)
				}
			},
		},
		// Undeclared statuses: the generated parser succeeds, fills no typed field, keeps the body.
		{file: "create-clickpipe-424-service-idle.json", status: 424,
			parse: func(r *http.Response) (any, error) { return cloudapi.ParseClickPipeCreateResponse(r) }},
		{file: "create-service-401-key-not-found.json", status: 401,
			parse: func(r *http.Response) (any, error) { return cloudapi.ParseInstanceCreateResponse(r) }},
		{file: "list-organizations-401-no-auth-header.json", status: 401,
			parse: func(r *http.Response) (any, error) { return cloudapi.ParseOrganizationGetListResponse(r) }},
		{file: "delete-service-429-too-many-requests.json", status: 429,
			parse: func(r *http.Response) (any, error) { return cloudapi.ParseInstanceDeleteResponse(r) }},
	}
	files, _ := os.ReadDir("../../testdata/real-responses")
	if covered := len(cases); len(files)-1 != covered { // minus README.md
		t.Errorf("%d fixtures but %d cases: every real response needs a case", len(files)-1, covered)
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			body, err := os.ReadFile("../../testdata/real-responses/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			resp := &http.Response{
				StatusCode: c.status,
				Header:     http.Header{"Content-Type": []string{"application/json"}},
				Body:       io.NopCloser(bytes.NewReader(body)),
			}
			parsed, err := c.parse(resp)
			if err != nil {
				t.Fatalf("generated parser failed: %v", err)
			}
			v := reflect.ValueOf(parsed).Elem()
			if !bytes.Equal(v.FieldByName("Body").Bytes(), body) {
				t.Error("Body does not hold the raw response")
			}
			for i := range v.NumField() {
				name := v.Type().Field(i).Name
				if len(name) != 7 || name[:4] != "JSON" {
					continue
				}
				filled := !v.Field(i).IsNil()
				if filled != (name == c.typedField) {
					t.Errorf("%s filled = %v, want typed field %q", name, filled, c.typedField)
				}
			}
			if c.check != nil {
				c.check(t, parsed)
			}
		})
	}
}
