package specdoc_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

func TestCheckRequestParameters(t *testing.T) {
	const org = "00000000-0000-4000-8000-000000000001"
	const svc = "00000000-0000-4000-8000-000000000002"
	cases := []struct {
		name      string
		op        string
		path      map[string]string
		query     url.Values
		body      string
		wantParam string // "in name keyword", or "" for none
		wantErr   error
	}{
		{"fine", "instanceGet", map[string]string{"organizationId": org, "serviceId": svc}, nil, "", "", nil},
		{"not a uuid", "instanceGet", map[string]string{"organizationId": org, "serviceId": "nope"}, nil, "", "path serviceId format", nil},
		{"path parameter missing", "instanceGet", map[string]string{"organizationId": org}, nil, "", "path serviceId required", nil},
		{"array query", "instanceGetList", map[string]string{"organizationId": org}, url.Values{"filter": {"tag:a=b", "tag:c=d"}}, "", "", nil},
		{"required query missing", "usageCostGet", map[string]string{"organizationId": org}, url.Values{"to_date": {"2025-01-01"}}, "", "query from_date required", nil},
		{"query not a date", "usageCostGet", map[string]string{"organizationId": org}, url.Values{"from_date": {"yesterday"}, "to_date": {"2025-01-01"}}, "", "query from_date format", nil},
		{"body to an operation without one", "instanceGet", map[string]string{"organizationId": org, "serviceId": svc}, nil, `{"a":1}`, "", specdoc.ErrNoRequestBody},
		{"body not JSON, parameters still judged", "instanceUpdate", map[string]string{"organizationId": org, "serviceId": "nope"}, nil, `{`, "path serviceId format", specdoc.ErrBodyNotJSON},
		{"unknown operation", "nope", nil, nil, "", "", specdoc.ErrUnknownOperation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := specdoc.CheckRequest(c.op, c.path, c.query, []byte(c.body))
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			got := ""
			if len(v.Parameters) > 0 {
				p := v.Parameters[0]
				got = p.In + " " + p.Name + " " + p.Keyword
				if p.Reason == "" {
					t.Error("a problem without a reason")
				}
			}
			if got != c.wantParam {
				t.Errorf("parameters %+v, want %q", v.Parameters, c.wantParam)
			}
			if c.wantErr == nil && v.OK() != (c.wantParam == "") {
				t.Errorf("OK() = %v", v.OK())
			}
		})
	}
}

func TestCheckRequestIntegerQuery(t *testing.T) {
	const org = "00000000-0000-4000-8000-000000000001"
	for value, want := range map[string]string{"5": "", "100": "", "0": "minimum", "101": "maximum", "x": "type", "": "type"} {
		v, err := specdoc.CheckRequest("activeBalancesGet", map[string]string{"organizationId": org}, url.Values{"limit": {value}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(v.Parameters) > 0 {
			got = v.Parameters[0].Keyword
		}
		if got != want {
			t.Errorf("limit=%q: %+v, want keyword %q", value, v.Parameters, want)
		}
	}
}
