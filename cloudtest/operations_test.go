package cloudtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// fixture holds resources created so that every operation of the document has something to
// act on.
type fixture struct {
	s     *Server
	clock *ManualClock
	org   string
}

func newFixture(t *testing.T, opts ...Option) *fixture {
	clock := NewManualClock(time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC))
	s := newTestServer(t, append([]Option{WithClock(clock), WithSeed(7)}, opts...)...)
	return &fixture{s: s, clock: clock, org: "/v1/organizations/" + s.OrganizationID}
}

// runningService creates a service and advances the clock until it runs.
func (f *fixture) runningService(t *testing.T) string {
	res := mustResult(t, f.s, 200, "POST", f.org+"/services", map[string]any{"name": "walk", "provider": "aws", "region": "us-east-1", "idleScaling": false})
	id := res["service"].(map[string]any)["id"].(string)
	f.clock.Advance(f.s.cfg.provisioningDelay)
	return id
}

// stoppedService creates a service and stops it, past the delete cooldown.
func (f *fixture) stoppedService(t *testing.T) string {
	id := f.runningService(t)
	mustResult(t, f.s, 200, "PATCH", f.org+"/services/"+id+"/state", map[string]any{"command": "stop"})
	f.clock.Advance(f.s.cfg.transitionDelay + f.s.cfg.deleteCooldown)
	return id
}

// TestEveryOperationAnswersValidSuccess walks every operation of the published document and
// checks that the fake without quirks answers 2xx with a body valid against the document.
func TestEveryOperationAnswersValidSuccess(t *testing.T) {
	walkEveryOperation(t, newFixture(t, WithoutQuirks()), true)
}

// TestQuirksKeepEverySuccess walks every operation with every quirk on: the quirks change the
// shape of answers (which the document does not describe), never a success into a failure.
func TestQuirksKeepEverySuccess(t *testing.T) {
	walkEveryOperation(t, newFixture(t, WithQuirks(AllQuirks)), false)
}

func walkEveryOperation(t *testing.T, f *fixture, validate bool) {
	ops, err := spec.Operations()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := specdoc.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"organizationId": f.s.OrganizationID}
	base["serviceId"] = f.runningService(t)
	pg := mustResult(t, f.s, 200, "POST", f.org+"/postgres", map[string]any{"name": "pg", "provider": "aws", "region": "us-east-1", "size": "r8gd.medium"})
	base["postgresId"] = pg["id"].(string)
	f.clock.Advance(time.Hour) // provisioning done, a backup taken
	backups := mustResultList(t, f.s, "GET", f.org+"/services/"+base["serviceId"]+"/backups")
	if len(backups) == 0 {
		t.Fatal("a running service has no backup")
	}
	base["backupId"] = backups[0]["id"].(string)
	activities := mustResultList(t, f.s, "GET", f.org+"/activities")
	base["activityId"] = activities[0]["id"].(string)
	members := mustResultList(t, f.s, "GET", f.org+"/members")
	base["userId"] = members[0]["userId"].(string)
	keys := mustResultList(t, f.s, "GET", f.org+"/keys")
	base["keyId"] = keys[0]["id"].(string)

	checked := 0
	for _, op := range ops {
		t.Run(op.ID, func(t *testing.T) {
			params := f.paramsFor(t, op, base)
			path := op.Path
			for name, v := range params {
				path = strings.ReplaceAll(path, "{"+name+"}", v)
			}
			rt := f.s.routes.byID[op.ID]
			query := f.queryFor(rt)
			if query != "" {
				path += "?" + query
			}
			body := f.bodyFor(t, rt)
			resp, raw := call(t, f.s, op.Method, path, body)
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				t.Fatalf("%s %s: status %d: %s", op.Method, path, resp.StatusCode, raw)
			}
			if got := resp.Header.Get(HeaderFake); got != Version {
				t.Errorf("%s header = %q", HeaderFake, got)
			}
			if validate {
				validateResponse(t, doc, rt, op.Method, path, body, resp, raw)
			}
			checked++
		})
	}
	if checked != len(ops) {
		t.Errorf("checked %d of %d operations", checked, len(ops))
	}

	// The reads again, now that every write has changed the shared resources: what the writes
	// stored must still read back valid.
	for _, op := range ops {
		if op.Mutating() {
			continue
		}
		t.Run("after-writes/"+op.ID, func(t *testing.T) {
			path := op.Path
			for name, v := range f.paramsFor(t, op, base) {
				if strings.HasPrefix(name, "clickStack") {
					// The walk deleted the item it read: read another one.
					v = "0f0f0f0f-0000-4000-8000-000000000001"
				}
				path = strings.ReplaceAll(path, "{"+name+"}", v)
			}
			rt := f.s.routes.byID[op.ID]
			if query := f.queryFor(rt); query != "" {
				path += "?" + query
			}
			resp, raw := call(t, f.s, op.Method, path, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%s %s: status %d: %s", op.Method, path, resp.StatusCode, raw)
			}
			if validate {
				validateResponse(t, doc, rt, op.Method, path, nil, resp, raw)
			}
		})
	}
}

func mustResultList(t *testing.T, s *Server, method, path string) []map[string]any {
	t.Helper()
	resp, raw := call(t, s, method, path, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	var env struct {
		Result []map[string]any `json:"result"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	return env.Result
}

// paramsFor gives each path parameter a value the operation accepts: existing resources, or
// fresh ones for operations that consume theirs (deletes, state changes).
func (f *fixture) paramsFor(t *testing.T, op spec.Operation, base map[string]string) map[string]string {
	params := map[string]string{}
	for k, v := range base {
		params[k] = v
	}
	switch op.ID {
	case "instanceDelete":
		params["serviceId"] = f.stoppedService(t)
	case "openapiKeyDelete", "openapiKeyGet", "openapiKeyUpdate":
		res := mustResult(t, f.s, 200, "POST", f.org+"/keys", map[string]any{"name": "walk", "roles": []string{"developer"}})
		params["keyId"] = res["key"].(map[string]any)["id"].(string)
	case "memberDelete":
		members := mustResultList(t, f.s, "GET", f.org+"/members")
		params["userId"] = members[len(members)-1]["userId"].(string)
	case "invitationGet", "invitationDelete":
		res := mustResult(t, f.s, 200, "POST", f.org+"/invitations", map[string]any{"email": fmt.Sprintf("%s-%s@example.com", strings.ToLower(op.ID), f.s.ids.Token(6, lowerHex)), "role": "developer"})
		params["invitationId"] = res["id"].(string)
	case "organizationRoleGet", "organizationRolePatch", "organizationRoleDelete":
		res := mustResult(t, f.s, 200, "POST", f.org+"/roles", map[string]any{"name": "walk-" + op.ID, "actors": []string{}, "policies": []any{}})
		params["roleId"] = res["id"].(string)
	case "serviceClickhouseSettingGet", "serviceClickhouseSettingDelete":
		params["settingName"] = "max_threads"
	case "postgresServiceDelete":
		pg := mustResult(t, f.s, 200, "POST", f.org+"/postgres", map[string]any{"name": "pgdel", "provider": "aws", "region": "us-east-1", "size": "r8gd.medium"})
		params["postgresId"] = pg["id"].(string)
	}
	if strings.HasPrefix(op.ID, "clickPipe") && strings.Contains(op.Path, "{clickPipeId}") {
		res := mustResult(t, f.s, 200, "POST", f.org+"/services/"+params["serviceId"]+"/clickpipes", map[string]any{"name": "walk"})
		params["clickPipeId"] = res["id"].(string)
	}
	rt := f.s.routes.byID[op.ID]
	for _, name := range op.PathParams {
		if _, ok := params[name]; ok {
			continue
		}
		p := rt.kin.Operation.Parameters.GetByInAndName("path", name)
		if p == nil {
			p = rt.kin.PathItem.Parameters.GetByInAndName("path", name)
		}
		g := newSynthesizer(1, name, f.clock.Now())
		params[name] = fmt.Sprint(g.value(p.Schema, name, 0))
	}
	return params
}

// queryFor fills the required query parameters with valid values.
func (f *fixture) queryFor(rt *route) string {
	var parts []string
	for _, pr := range rt.kin.Operation.Parameters {
		p := pr.Value
		if p.In != "query" || !p.Required {
			continue
		}
		g := newSynthesizer(1, p.Name, f.clock.Now())
		v := g.value(p.Schema, p.Name, 0)
		if p.Schema.Value.Format == "date" {
			v = f.clock.Now().Format(time.DateOnly)
		}
		parts = append(parts, p.Name+"="+fmt.Sprint(v))
	}
	return strings.Join(parts, "&")
}

// bodyFor synthesizes a valid request body, with a few hand-written ones where the fake checks
// references (role IDs, e-mails) that a random body would not satisfy.
func (f *fixture) bodyFor(t *testing.T, rt *route) any {
	switch rt.op.ID {
	case "openapiKeyCreate":
		return map[string]any{"name": "k", "roles": []string{"developer"}}
	case "openapiKeyUpdate":
		return map[string]any{"name": "renamed"}
	case "memberUpdate":
		return map[string]any{"role": "admin"}
	case "invitationCreate":
		return map[string]any{"email": "new@example.com", "role": "developer"}
	case "instanceStateUpdate":
		return map[string]any{"command": "start"} // keeps the shared service running
	}
	rb := rt.kin.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	media := rb.Value.Content.Get("application/json")
	if media == nil {
		return nil
	}
	g := newSynthesizer(1, rt.op.ID, f.clock.Now())
	body := jsonRoundTrip(g.value(media.Schema, "body", 0))
	if m, ok := body.(map[string]any); ok && m["idleScaling"] != nil {
		m["idleScaling"] = false // keeps the shared service running (not idle) for the operations after it
	}
	return body
}

func validateResponse(t *testing.T, doc *openapi3.T, rt *route, method, path string, body any, resp *http.Response, raw []byte) {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	in := &openapi3filter.RequestValidationInput{Request: req, Route: rt.kin,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	ct := resp.Header.Get("Content-Type")
	opts := &openapi3filter.Options{IncludeResponseStatus: true, SchemaValidationOptions: validationOptions(), MultiError: true}
	if !strings.HasPrefix(ct, "application/json") {
		opts.ExcludeResponseBody = true
		if !strings.HasPrefix(ct, strings.Split(rt.mimeType, ";")[0]) {
			t.Errorf("content type %q, documented %q", ct, rt.mimeType)
		}
		if len(raw) == 0 {
			t.Error("empty body")
		}
	}
	err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(raw)), Options: opts,
	})
	if err != nil {
		t.Errorf("response does not validate: %v\nbody: %.2000s", err, raw)
	}
	_ = doc
}
