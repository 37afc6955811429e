package cloudtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// keyClient sends requests with one key's credentials and decodes the envelope.
type keyClient struct {
	t           *testing.T
	s           *Server
	id, secret  string
	org         string
	lastMessage string
}

func (c *keyClient) do(method, path string, body any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, c.org+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(c.id, c.secret)
	rec := httptest.NewRecorder()
	c.s.ServeHTTP(rec, req)
	var env struct{ Error string }
	_ = json.Unmarshal(rec.Body.Bytes(), &env)
	c.lastMessage = env.Error
	return rec.Code
}

// newKey creates a key through the API (as the server's admin key) and returns a client for it
// and the key's document.
func newKeyClient(t *testing.T, s *Server, body map[string]any) (*keyClient, map[string]any) {
	t.Helper()
	org := "/v1/organizations/" + s.OrganizationID
	res := mustResult(t, s, 200, "POST", org+"/keys", body)
	return &keyClient{t: t, s: s, id: res["keyId"].(string), secret: res["keySecret"].(string), org: org},
		res["key"].(map[string]any)
}

func roleIDs(t *testing.T, s *Server) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, r := range mustResultList(t, s, "GET", "/v1/organizations/"+s.OrganizationID+"/roles") {
		ids[r["name"].(string)] = r["id"].(string)
	}
	return ids
}

func assignedNames(doc map[string]any) []string {
	var names []string
	for _, a := range doc["assignedRoles"].([]any) {
		names = append(names, a.(map[string]any)["roleName"].(string))
	}
	slices.Sort(names)
	return names
}

var newService = map[string]any{"name": "x", "provider": "aws", "region": "us-east-1"}

// TestKeyRoleChangesTakeEffect: `chcloud key update --role developer` (roles) or `--role-id`
// (assignedRoleIds) changes the key's roles in its document and what it may do from its next
// request: a demoted key gets 403 on changes and keeps reading; a promoted one may change again.
func TestKeyRoleChangesTakeEffect(t *testing.T) {
	s := newTestServer(t, WithProvisioningDelay(0))
	org := "/v1/organizations/" + s.OrganizationID
	roles := roleIDs(t, s)
	key, doc := newKeyClient(t, s, map[string]any{"name": "deploy", "roles": []string{"admin"}})
	keyPath := org + "/keys/" + doc["id"].(string)
	if code := key.do("POST", "/services", newService); code != 200 {
		t.Fatalf("admin key create: %d %s", code, key.lastMessage)
	}

	// Demoted by the legacy role name.
	updated := mustResult(t, s, 200, "PATCH", keyPath, map[string]any{"roles": []string{"developer"}})
	if got := assignedNames(updated); !slices.Equal(got, []string{"Developer"}) || !slices.Equal(updated["roles"].([]any), []any{"developer"}) {
		t.Errorf("after --role developer: roles %v, assigned %v", updated["roles"], got)
	}
	if code := key.do("POST", "/services", newService); code != 403 || !strings.HasPrefix(key.lastMessage, "FORBIDDEN: ") {
		t.Errorf("demoted key create: %d %q, want 403 FORBIDDEN", code, key.lastMessage)
	}
	if code := key.do("GET", "/services", nil); code != 200 {
		t.Errorf("demoted key read: %d", code)
	}
	if got := mustResult(t, s, 200, "GET", keyPath, nil); !slices.Equal(assignedNames(got), []string{"Developer"}) {
		t.Errorf("the change does not read back: %v", got["assignedRoles"])
	}

	// Promoted by the Admin role's ID.
	updated = mustResult(t, s, 200, "PATCH", keyPath, map[string]any{"assignedRoleIds": []string{roles["Admin"]}})
	if got := assignedNames(updated); !slices.Equal(got, []string{"Admin"}) || !slices.Equal(updated["roles"].([]any), []any{"admin"}) {
		t.Errorf("after --role-id Admin: roles %v, assigned %v", updated["roles"], got)
	}
	if code := key.do("POST", "/services", newService); code != 200 {
		t.Errorf("promoted key create: %d %s", code, key.lastMessage)
	}

	// A key may demote itself, and is read-only from its next request.
	if code := key.do("PATCH", "/keys/"+doc["id"].(string), map[string]any{"assignedRoleIds": []string{roles["Developer"]}}); code != 200 {
		t.Fatalf("self demotion: %d %s", code, key.lastMessage)
	}
	if code := key.do("PATCH", "/keys/"+doc["id"].(string), map[string]any{"roles": []string{"admin"}}); code != 403 {
		t.Errorf("self promotion after demotion: %d, want 403", code)
	}

	// Refused updates change nothing.
	for _, body := range []map[string]any{
		{"assignedRoleIds": []string{"00000000-0000-4000-8000-000000000000"}},
		{"roles": []string{}},
		{"roles": []string{"admin"}, "assignedRoleIds": []string{"00000000-0000-4000-8000-000000000000"}},
	} {
		if resp, raw := call(t, s, "PATCH", keyPath, body); resp.StatusCode != 400 || !bytes.Contains(raw, []byte("BAD_REQUEST: ")) {
			t.Errorf("%v: %d %s, want 400", body, resp.StatusCode, raw)
		}
	}
	if got := mustResult(t, s, 200, "GET", keyPath, nil); !slices.Equal(assignedNames(got), []string{"Developer"}) {
		t.Errorf("a refused update changed the roles: %v", got["assignedRoles"])
	}
	// An update that does not name roles keeps them.
	if got := mustResult(t, s, 200, "PATCH", keyPath, map[string]any{"name": "renamed"}); !slices.Equal(assignedNames(got), []string{"Developer"}) {
		t.Errorf("a rename changed the roles: %v", got["assignedRoles"])
	}
}

// TestKeyCreatedWithRoles: whichever way a key gets the developer role (the default, --role,
// --role-id) it is read-only; both role fields of its document say which roles it has.
func TestKeyCreatedWithRoles(t *testing.T) {
	s := newTestServer(t, WithProvisioningDelay(0))
	roles := roleIDs(t, s)
	for _, c := range []struct {
		name     string
		body     map[string]any
		legacy   []any
		assigned []string
		write    int
	}{
		{"default", map[string]any{"name": "k"}, []any{"developer"}, []string{"Developer"}, 403},
		{"--role developer", map[string]any{"name": "k", "roles": []string{"developer"}}, []any{"developer"}, []string{"Developer"}, 403},
		{"--role-id Developer", map[string]any{"name": "k", "assignedRoleIds": []string{roles["Developer"]}}, []any{"developer"}, []string{"Developer"}, 403},
		{"--role-id Service Read Only", map[string]any{"name": "k", "assignedRoleIds": []string{roles["Service Read Only"]}}, []any{}, []string{"Service Read Only"}, 403},
		{"--role-id Org Member", map[string]any{"name": "k", "assignedRoleIds": []string{roles["Org Member"]}}, []any{}, []string{"Org Member"}, 403},
		{"--role query_endpoints", map[string]any{"name": "k", "roles": []string{"query_endpoints"}}, []any{"query_endpoints"}, nil, 403},
		{"--role admin", map[string]any{"name": "k", "roles": []string{"admin"}}, []any{"admin"}, []string{"Admin"}, 200},
		{"--role developer --role-id Admin", map[string]any{"name": "k", "roles": []string{"developer"}, "assignedRoleIds": []string{roles["Admin"]}},
			[]any{"developer", "admin"}, []string{"Admin", "Developer"}, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			key, doc := newKeyClient(t, s, c.body)
			if !slices.Equal(doc["roles"].([]any), c.legacy) || !slices.Equal(assignedNames(doc), c.assigned) {
				t.Errorf("roles %v, assigned %v; want %v, %v", doc["roles"], assignedNames(doc), c.legacy, c.assigned)
			}
			if code := key.do("POST", "/services", newService); code != c.write {
				t.Errorf("create a service: %d, want %d (%s)", code, c.write, key.lastMessage)
			}
			if code := key.do("GET", "/keys", nil); code != 200 {
				t.Errorf("read: %d", code)
			}
		})
	}
	if resp, raw := call(t, s, "POST", "/v1/organizations/"+s.OrganizationID+"/keys",
		map[string]any{"name": "k", "assignedRoleIds": []string{"00000000-0000-4000-8000-000000000000"}}); resp.StatusCode != 400 ||
		!bytes.Contains(raw, []byte("Invalid role id")) {
		t.Errorf("unknown role id: %d %s", resp.StatusCode, raw)
	}
}

// TestServiceAdminAndCustomRoles: Service Admin changes existing services and what belongs to
// them, nothing else; a custom role's policies are not evaluated (the key may do everything).
func TestServiceAdminAndCustomRoles(t *testing.T) {
	s := newTestServer(t, WithProvisioningDelay(0))
	org := "/v1/organizations/" + s.OrganizationID
	roles := roleIDs(t, s)
	svc := mustResult(t, s, 200, "POST", org+"/services", newService)["service"].(map[string]any)["id"].(string)

	key, _ := newKeyClient(t, s, map[string]any{"name": "svc", "assignedRoleIds": []string{roles["Service Admin"]}})
	if code := key.do("PATCH", "/services/"+svc, map[string]any{"name": "renamed"}); code != 200 {
		t.Errorf("service admin changes a service: %d %s", code, key.lastMessage)
	}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/services", newService},
		{"POST", "/keys", map[string]any{"name": "k"}},
		{"PATCH", "", map[string]any{"name": "org"}},
	} {
		if code := key.do(c.method, c.path, c.body); code != 403 {
			t.Errorf("service admin %s %s: %d, want 403", c.method, c.path, code)
		}
	}

	custom := mustResult(t, s, 200, "POST", org+"/roles", map[string]any{"name": "deployer", "actors": []string{},
		"policies": []any{map[string]any{"allowDeny": "ALLOW", "permissions": []string{"control-plane:service:manage"}, "resources": []string{"instance/*"}}}})
	key, doc := newKeyClient(t, s, map[string]any{"name": "custom", "assignedRoleIds": []string{custom["id"].(string)}})
	if got := doc["assignedRoles"].([]any)[0].(map[string]any); got["roleType"] != "custom" || got["roleName"] != "deployer" {
		t.Errorf("assigned custom role %v", got)
	}
	if code := key.do("POST", "/services", newService); code != 200 {
		t.Errorf("custom role create: %d %s", code, key.lastMessage)
	}
}

// TestExpiredAndDisabledKeys: a key whose expireAt has passed on the fake's clock gets 401
// "Key is not active"; a disabled one 401 "Key is disabled". Both work again once an admin
// extends or enables them. The list shows the past expireAt; "state" stays one of the values
// the document allows (enabled, disabled).
func TestExpiredAndDisabledKeys(t *testing.T) {
	clock := NewManualClock(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	s := newTestServer(t, WithClock(clock))
	org := "/v1/organizations/" + s.OrganizationID
	expiry := clock.Now().Add(time.Hour).Format(time.RFC3339)
	key, doc := newKeyClient(t, s, map[string]any{"name": "short", "roles": []string{"admin"}, "expireAt": expiry})
	keyPath := org + "/keys/" + doc["id"].(string)
	if doc["expireAt"] != expiry {
		t.Fatalf("expireAt %v, want %s", doc["expireAt"], expiry)
	}
	if code := key.do("GET", "/services", nil); code != 200 {
		t.Fatalf("before expiry: %d", code)
	}

	clock.Advance(time.Hour)
	if code := key.do("GET", "/services", nil); code != 401 || key.lastMessage != "UNAUTHORIZED: Key is not active" {
		t.Errorf("at expiry: %d %q, want 401 Key is not active", code, key.lastMessage)
	}
	for _, k := range mustResultList(t, s, "GET", org+"/keys") {
		if k["id"] != doc["id"] {
			continue
		}
		exp, err := time.Parse(time.RFC3339, k["expireAt"].(string))
		if err != nil || exp.After(clock.Now()) || (k["state"] != "enabled" && k["state"] != "disabled") {
			t.Errorf("listed as %v, expireAt %v", k["state"], k["expireAt"])
		}
	}

	mustResult(t, s, 200, "PATCH", keyPath, map[string]any{"expireAt": nil})
	if code := key.do("GET", "/services", nil); code != 200 {
		t.Errorf("after removing the expiry: %d %s", code, key.lastMessage)
	}

	mustResult(t, s, 200, "PATCH", keyPath, map[string]any{"state": "disabled"})
	if code := key.do("GET", "/services", nil); code != 401 || key.lastMessage != "UNAUTHORIZED: Key is disabled" {
		t.Errorf("disabled: %d %q, want 401 Key is disabled", code, key.lastMessage)
	}
	mustResult(t, s, 200, "PATCH", keyPath, map[string]any{"state": "enabled"})
	if code := key.do("GET", "/services", nil); code != 200 {
		t.Errorf("enabled again: %d %s", code, key.lastMessage)
	}
}

// TestBodiesThatAreNotObjects: every operation that takes a body answers a body that is not a
// JSON object (an array, a string, a number, a boolean, null, broken JSON) with the BAD_REQUEST
// envelope, its requestId, and a message in the validator's words, never Go's.
func TestBodiesThatAreNotObjects(t *testing.T) {
	s := newTestServer(t)
	checked := 0
	for _, rt := range s.routes.byID {
		if rt.kin.Operation.RequestBody == nil {
			continue
		}
		path := rt.op.Path
		values := map[string]string{}
		for _, name := range rt.params {
			values[name] = "00000000-0000-4000-8000-000000000000"
			if name == "organizationId" {
				values[name] = s.OrganizationID
			}
		}
		verdict, _ := specdoc.CheckRequest(rt.op.ID, values, nil, nil)
		for _, p := range verdict.Parameters {
			if p.In == "path" {
				values[p.Name] = "fn1" // names such as functionName
			}
		}
		for name, v := range values {
			path = strings.Replace(path, "{"+name+"}", v, 1)
		}
		for body, want := range map[string]string{
			`[1,2]`: "BAD_REQUEST: request body: declared object, got array",
			`"x"`:   "BAD_REQUEST: request body: declared object, got string",
			`42`:    "BAD_REQUEST: request body: declared object, got number",
			`true`:  "BAD_REQUEST: request body: declared object, got boolean",
			`null`:  "BAD_REQUEST: request body: declared object, got null",
			`{`:     "BAD_REQUEST: request body: not valid JSON",
			`{"a":`: "BAD_REQUEST: request body: not valid JSON",
		} {
			req := httptest.NewRequest(rt.op.Method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.SetBasicAuth(s.KeyID, s.KeySecret)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			var env struct {
				Status    int    `json:"status"`
				RequestID string `json:"requestId"`
				Error     string `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || rec.Code != 400 || env.Status != 400 ||
				!uuidPattern().MatchString(env.RequestID) || !strings.HasPrefix(env.Error, want) {
				t.Errorf("%s with %s: %d %s, want 400 %q", rt.op.ID, body, rec.Code, rec.Body, want)
			}
			for _, goWord := range []string{"Go value", "struct", "json:", "cloudtest.", "unmarshal"} {
				if strings.Contains(env.Error, goWord) {
					t.Errorf("%s with %s: message %q speaks Go (%q)", rt.op.ID, body, env.Error, goWord)
				}
			}
			checked++
		}
	}
	if checked < 50*7 {
		t.Errorf("checked only %d requests", checked)
	}
}

// TestDecodeBodySpeaksTheValidatorsLanguage: were a body to pass validation and still not fit a
// handler's Go type, the 400 names the field, not the Go type.
func TestDecodeBodySpeaksTheValidatorsLanguage(t *testing.T) {
	q := &request{body: []byte(`{"roles":[1]}`)}
	var v struct {
		Roles []string `json:"roles"`
	}
	err := q.decodeBody(&v)
	if err == nil || err.Error() != "request body.roles: got number where it does not fit" {
		t.Errorf("error %v", err)
	}
	q.body = []byte(`[1]`)
	if err := q.decodeBody(&v); err == nil || strings.Contains(err.Error(), "struct") {
		t.Errorf("error %v", err)
	}
}
