package cloudtest

import (
	"encoding/json"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// state is everything the fake remembers, guarded by Server.mu.
type state struct {
	org         map[string]any
	keys        ordered[*apiKey]
	keysByKeyID map[string]*apiKey
	services    ordered[*service]
	members     ordered[map[string]any]
	// memberChanges are role changes not visible yet (WithEventualConsistency)
	memberChanges map[string]memberChange
	invitations   ordered[map[string]any]
	roles         ordered[map[string]any]
	activities    ordered[activity]
	postgres      ordered[*postgresService]
	// clickStackDeleted are the ClickStack items deleted so far, as serviceId/itemId
	clickStackDeleted map[string]bool
}

// ordered is a map that remembers insertion order, so lists come back in creation order.
type ordered[T any] struct {
	ids []string
	m   map[string]T
}

func (o *ordered[T]) put(id string, v T) {
	if o.m == nil {
		o.m = map[string]T{}
	}
	if _, ok := o.m[id]; !ok {
		o.ids = append(o.ids, id)
	}
	o.m[id] = v
}

func (o *ordered[T]) get(id string) (T, bool) {
	v, ok := o.m[id]
	return v, ok
}

func (o *ordered[T]) del(id string) {
	if _, ok := o.m[id]; !ok {
		return
	}
	delete(o.m, id)
	for i, x := range o.ids {
		if x == id {
			o.ids = append(o.ids[:i], o.ids[i+1:]...)
			break
		}
	}
}

func (o *ordered[T]) all() []T {
	out := make([]T, 0, len(o.ids))
	for _, id := range o.ids {
		out = append(out, o.m[id])
	}
	return out
}

func (o *ordered[T]) len() int { return len(o.ids) }

// apiKey is an API key: its public document (the ApiKey schema) and its credentials.
type apiKey struct {
	doc    map[string]any
	keyID  string
	secret string
}

// schemaRef returns the named component schema of the published document.
func schemaRef(name string) *openapi3.SchemaRef {
	doc, err := specdoc.OpenAPI()
	if err != nil {
		return nil
	}
	return doc.Components.Schemas[name]
}

// synthObject returns a fresh copy of an invented document for a component schema. The
// template is synthesized once per schema (deterministic for the seed) and deep-copied, which
// keeps creating resources cheap; callers then set the fields that make each one unique.
func (s *Server) synthObject(schema string, now time.Time) map[string]any {
	tmpl, ok := s.templates[schema]
	if !ok {
		g := newSynthesizer(uint64(s.cfg.seed), schema, now)
		tmpl, _ = jsonRoundTrip(g.value(schemaRef(schema), schema, 0)).(map[string]any)
		if tmpl == nil {
			tmpl = map[string]any{}
		}
		s.templates[schema] = tmpl
	}
	return deepCopy(tmpl).(map[string]any)
}

// deepCopy copies a decoded JSON value.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

// overlay copies the fields of a request body onto doc where the response schema has a
// property of the same name (create and update requests mostly share names with their result).
func overlay(doc map[string]any, body []byte, schema string, skip ...string) {
	var fields map[string]any
	if json.Unmarshal(body, &fields) != nil {
		return
	}
	ref := schemaRef(schema)
	if ref == nil || ref.Value == nil {
		return
	}
next:
	for name, v := range fields {
		for _, s := range skip {
			if s == name {
				continue next
			}
		}
		prop, ok := ref.Value.Properties[name]
		if !ok || v == nil || prop.Value == nil {
			continue
		}
		if prop.Value.VisitJSON(v, validationOptions()...) == nil {
			doc[name] = v
		}
	}
}

func timestamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// SpareMemberEmail is the email of a seeded member that nothing in the fake depends on, for tests
// that remove a member (the conformance suite's memberDelete): the API has no way to add one,
// since members join by accepting an emailed invitation.
const SpareMemberEmail = "viewer@example.com"

// newState seeds the organization the fake serves: the org, one admin key (the Server's
// credentials), two members and the system roles.
func (s *Server) newState() *state {
	now := s.now()
	st := &state{keysByKeyID: map[string]*apiKey{}, memberChanges: map[string]memberChange{}, clickStackDeleted: map[string]bool{}}
	s.OrganizationID = s.ids.UUID()
	st.org = s.synthObject("Organization", now)
	st.org["id"] = s.OrganizationID
	st.org["name"] = "Fake Organization"
	st.org["createdAt"] = timestamp(now.Add(-90 * 24 * time.Hour))
	st.org["byocConfig"] = []any{}
	st.org["privateEndpoints"] = []any{}
	st.org["enableCoreDumps"] = true

	for _, name := range []string{"Admin", "Developer", "Org Member", "Service Admin", "Service Read Only"} {
		role := s.synthObject("RBACRole", now)
		id := s.ids.UUID()
		role["id"] = id
		role["name"] = name
		role["type"] = "system"
		role["tenantId"] = "organization/" + s.OrganizationID
		role["ownerId"] = "organization/" + s.OrganizationID
		role["actors"] = []any{}
		st.roles.put(id, role)
	}

	key := s.newKey(st, now, "fake-admin-key", []string{"admin"})
	s.KeyID, s.KeySecret = key.keyID, key.secret
	st.keys.put(key.doc["id"].(string), key)
	st.keysByKeyID[key.keyID] = key

	for i, who := range []struct{ name, email, role string }{
		{"Ada Admin", "ada@example.com", "admin"},
		{"Dev Eloper", "dev@example.com", "developer"},
		{"Rea Donly", SpareMemberEmail, "developer"},
	} {
		m := s.synthObject("Member", now)
		id := s.ids.UUID()
		m["userId"] = id
		m["name"] = who.name
		m["email"] = who.email
		m["role"] = who.role
		m["joinedAt"] = timestamp(now.Add(-time.Duration(60-i) * 24 * time.Hour))
		m["assignedRoles"] = []any{st.assignedRole(roleNameFor(who.role))}
		st.members.put(id, m)
	}
	st.record(s, now, "create_organization", "")
	return st
}

func roleNameFor(legacy string) string {
	if legacy == "admin" {
		return "Admin"
	}
	return "Developer"
}

// assignedRole returns the AssignedRole document for the role named name.
func (st *state) assignedRole(name string) map[string]any {
	for _, r := range st.roles.all() {
		if r["name"] == name {
			return map[string]any{"roleId": r["id"], "roleName": name, "roleType": r["type"]}
		}
	}
	return map[string]any{"roleName": name, "roleType": "system"}
}

// newKey makes an API key with fresh credentials and the legacy roles given (admin, developer,
// query_endpoints); assigned roles can be set after with setKeyRoles.
func (s *Server) newKey(st *state, now time.Time, name string, roles []string) *apiKey {
	id := s.ids.UUID()
	k := &apiKey{
		keyID:  s.ids.Token(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
		secret: "4b1d" + s.ids.Token(38, alphanumeric),
	}
	k.doc = s.synthObject("ApiKey", now)
	k.doc["id"] = id
	k.doc["name"] = name
	k.doc["state"] = "enabled"
	k.doc["keySuffix"] = k.keyID[len(k.keyID)-4:] // the last four of the key ID: never a part of the secret
	k.doc["createdAt"] = timestamp(now)
	k.doc["expireAt"] = nil
	k.doc["ipAccessList"] = []any{map[string]any{"source": "0.0.0.0/0", "description": "Anywhere"}}
	delete(k.doc, "usedAt")
	st.setKeyRoles(k, roles, nil) // legacy names only: nothing to refuse
	return k
}

// record appends an activity to the organization's audit log.
func (st *state) record(s *Server, now time.Time, kind, serviceID string) {
	id := s.ids.UUID()
	a := s.synthObject("Activity", now)
	a["id"] = id
	a["type"] = kind
	a["createdAt"] = timestamp(now)
	a["organizationId"] = s.OrganizationID
	a["actorType"] = "api"
	a["actorDetails"] = "API key"
	for _, unrelated := range []string{"keyUpdateType", "targetKeyId", "targetRoleIds", "targetRoleNames", "targetActorIds", "targetResourceIds"} {
		delete(a, unrelated)
	}
	if serviceID != "" {
		a["serviceId"] = serviceID
	} else {
		delete(a, "serviceId")
	}
	raw, _ := json.Marshal(a)
	st.activities.put(id, activity{at: now, raw: raw})
}

// activity is an entry of the audit log, kept encoded: the log only grows.
type activity struct {
	at  time.Time
	raw json.RawMessage
}
