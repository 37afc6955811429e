package findings

import (
	"net/http"
	"strings"
	"testing"
)

// kinds returns the kinds of fs, for compact assertions.
func kinds(fs []Finding) map[Kind]Finding {
	out := map[Kind]Finding{}
	for _, f := range fs {
		out[f.Kind] = f
	}
	return out
}

func TestCheckProbeNewKinds(t *testing.T) {
	c := newTestChecker(t)
	get := lookup(t, "instanceGet")
	patch := lookup(t, "instanceUpdate")
	notFound := []byte(`{"status":404,"requestId":"0b6d2b1c-1f6e-4c39-9a1d-6e0a3c7f9a11","error":"NOT_FOUND: Service not found"}`)
	okSDK := &SDKView{Code: "NOT_FOUND", NotFound: true, Attempts: 1}
	for _, tc := range []struct {
		name     string
		op       string
		scenario string
		expected []int
		broken   *Violation
		status   int
		header   http.Header
		body     string
		sdk      *SDKView
		want     Kind // "" for no finding of the new kinds
	}{
		{"unknown id answered 404 as the SDK expects", "instanceGet", ScenarioUnknownID, []int{400, 404}, nil, 404, jsonHeader(), string(notFound), okSDK, ""},
		{"unknown id answered 200", "instanceGet", ScenarioUnknownID, []int{400, 404}, nil, 200, jsonHeader(), `{"status":200,"requestId":"x","result":{}}`, nil, UnexpectedStatus},
		{"invalid body accepted", "instanceUpdate", ScenarioInvalidBody, []int{400}, &Violation{Path: "$.name", Rule: "type"}, 200, jsonHeader(), `{"status":200,"requestId":"x","result":{}}`, nil, ConstraintNotEnforced},
		{"error code of another status", "instanceGet", ScenarioUnknownID, []int{400, 404}, nil, 404, jsonHeader(), `{"status":404,"requestId":"x","error":"BAD_REQUEST: Invalid id"}`, &SDKView{Code: "BAD_REQUEST", NotFound: true, Attempts: 1}, ErrorCodeMismatch},
		{"error without a code", "instanceGet", ScenarioUnknownID, []int{400, 404}, nil, 400, jsonHeader(), `{"status":400,"requestId":"x","error":"Invalid id"}`, &SDKView{Code: "BAD_REQUEST", Attempts: 1}, ErrorCodeMismatch},
		{"JSON 404 not IsNotFound", "instanceGet", ScenarioUnknownID, []int{400, 404}, nil, 404, jsonHeader(), string(notFound), &SDKView{Code: "NOT_FOUND", RouteNotFound: true, Attempts: 1}, SDKMisclassification},
		{"401 retried", "instanceGet", ScenarioWrongSecret, []int{401}, nil, 401, jsonHeader(), `{"status":401,"error":"UNAUTHORIZED: Key is not found"}`, &SDKView{Code: "UNAUTHORIZED", Message: "Key is not found", Unauthorized: true, Attempts: 3}, SDKMisclassification},
		{"HTML 404 read as a missing resource", "instanceGet", ScenarioUnknownID, []int{400, 404}, nil, 404, http.Header{"Content-Type": {"text/html"}}, "<html>Cannot GET</html>", &SDKView{Code: "NOT_FOUND", NotFound: true, Attempts: 1}, SDKMisclassification},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op := get
			if tc.op == "instanceUpdate" {
				op = patch
			}
			fs := c.CheckProbe(op, tc.scenario, tc.expected, tc.broken, Response{Status: tc.status, Header: tc.header, Body: []byte(tc.body)}, tc.sdk)
			got := kinds(fs)
			for _, k := range []Kind{UnexpectedStatus, ConstraintNotEnforced, ErrorCodeMismatch, SDKMisclassification} {
				if _, has := got[k]; has != (k == tc.want) {
					t.Errorf("%s: has %s = %v; findings %v", tc.name, k, has, fs)
				}
			}
			for _, f := range fs {
				if f.Scenario != tc.scenario {
					t.Errorf("finding %s has scenario %q, want %q", f, f.Scenario, tc.scenario)
				}
			}
			if f, ok := got[ConstraintNotEnforced]; ok && (f.Path != "$.name" || !strings.Contains(f.Detail, "request-deviations.yaml") || !strings.Contains(f.Detail, `path: "$.name"`)) {
				t.Errorf("constraint-not-enforced must name the path and propose the entry: %s", f)
			}
		})
	}
}

func TestCheckRateLimitHeaders(t *testing.T) {
	op := lookup(t, "instanceGet")
	good := http.Header{"X-Ratelimit-Limit": {"40"}, "X-Ratelimit-Remaining": {"39"}, "X-Ratelimit-Reset": {"9.5"},
		"X-Ratelimit-Policy": {`40;w=10;comment="fixed window"`}}
	if fs := CheckRateLimitHeaders(op, 200, good); len(fs) != 0 {
		t.Errorf("real headers: %v", fs)
	}
	for name, h := range map[string]http.Header{
		"missing":          {},
		"policy format":    {"X-Ratelimit-Limit": {"40"}, "X-Ratelimit-Remaining": {"39"}, "X-Ratelimit-Reset": {"9"}, "X-Ratelimit-Policy": {"40 per 10s"}},
		"policy disagrees": {"X-Ratelimit-Limit": {"40"}, "X-Ratelimit-Remaining": {"39"}, "X-Ratelimit-Reset": {"9"}, "X-Ratelimit-Policy": {"10;w=10"}},
		"reset a date":     {"X-Ratelimit-Limit": {"40"}, "X-Ratelimit-Remaining": {"39"}, "X-Ratelimit-Reset": {"Thu, 01 Jan 2026 00:00:00 GMT"}, "X-Ratelimit-Policy": {"40;w=10"}},
	} {
		fs := CheckRateLimitHeaders(op, 200, h)
		if len(fs) != 1 || fs[0].Kind != RateLimitHeaders {
			t.Errorf("%s: %v, want one rate-limit-headers finding", name, fs)
		}
	}
}

func TestDeviationScenarioScope(t *testing.T) {
	devs, err := ParseDeviations([]byte(`deviations:
  - operation: all
    kind: undeclared-status
    status: 404
    scenario: unknown-id
    reason: unknown ids get 404
    reference: https://example.com
    quirk: unknown-id-400
`))
	if err != nil {
		t.Fatal(err)
	}
	fs := devs.Mark([]Finding{
		{OperationID: "instanceGet", Status: 404, Kind: UndeclaredStatus, Scenario: ScenarioUnknownID},
		{OperationID: "instanceGet", Status: 404, Kind: UndeclaredStatus},
	})
	if fs[0].Known == nil || fs[1].Known != nil {
		t.Errorf("a scenario-scoped deviation must mark only that scenario's findings: %+v", fs)
	}
	if _, err := ParseDeviations([]byte("deviations:\n  - {operation: all, kind: undeclared-status, scenario: nope, reason: r, reference: https://x, quirk: q}\n")); err == nil {
		t.Error("an unknown scenario must be refused")
	}
}

func TestMarkdownStaysUnderTheIssueLimit(t *testing.T) {
	long := strings.Repeat("line of detail\n", 10000)
	out := capMarkdown(long, MaxMarkdown)
	if len(out) > MaxMarkdown || !strings.Contains(out, "Cut here") {
		t.Errorf("capped to %d characters (limit %d), note present: %v", len(out), MaxMarkdown, strings.Contains(out, "Cut here"))
	}
	if capMarkdown("short\n", MaxMarkdown) != "short\n" {
		t.Error("a short report must be left alone")
	}
}
