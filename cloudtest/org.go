package cloudtest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

func organizationGetList(q *request) response { return q.ok([]any{q.s.st.org}) }

func organizationGet(q *request) response { return q.ok(q.s.st.org) }

func organizationUpdate(q *request) response {
	org := q.s.st.org
	overlay(org, q.body, "Organization", "id", "createdAt", "privateEndpoints")
	var req struct {
		PrivateEndpoints *listPatch `json:"privateEndpoints"`
	}
	if err := q.decodeBody(&req); err != nil {
		return q.fail(400, "BAD_REQUEST", err.Error())
	}
	if req.PrivateEndpoints != nil {
		org["privateEndpoints"] = req.PrivateEndpoints.apply(org["privateEndpoints"], "id")
	}
	q.s.st.record(q.s, q.now, "organization_update_name", "")
	return q.ok(org)
}

// activityGetList answers the audit log, filtered by the from_date / to_date query parameters.
func activityGetList(q *request) response {
	from, _ := time.Parse(time.RFC3339, q.r.URL.Query().Get("from_date"))
	to, _ := time.Parse(time.RFC3339, q.r.URL.Query().Get("to_date"))
	out := []any{}
	for _, a := range q.s.st.activities.all() {
		at := a.at.Truncate(time.Second)
		if (!from.IsZero() && at.Before(from)) || (!to.IsZero() && at.After(to)) {
			continue
		}
		out = append(out, a.raw)
	}
	return q.ok(out)
}

func activityGet(q *request) response {
	a, ok := q.s.st.activities.get(q.params["activityId"])
	if !ok {
		return q.notFound("Activity")
	}
	return q.ok(a.raw)
}

// --- API keys ---

func openapiKeyGetList(q *request) response {
	out := []any{}
	for _, k := range q.s.st.keys.all() {
		out = append(out, k.doc)
	}
	return q.ok(out)
}

func openapiKeyCreate(q *request) response {
	s := q.s
	var req struct {
		Name            string   `json:"name"`
		Roles           []string `json:"roles"`
		AssignedRoleIDs []string `json:"assignedRoleIds"`
		HashData        any      `json:"hashData"`
	}
	if err := q.decodeBody(&req); err != nil {
		return q.fail(400, "BAD_REQUEST", err.Error())
	}
	if s.st.keys.len() >= maxKeys {
		return q.fail(http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("An organization can have at most %d API keys", maxKeys))
	}
	if len(req.Roles) == 0 && len(req.AssignedRoleIDs) == 0 {
		req.Roles = []string{"developer"}
	}
	key := s.newKey(s.st, q.now, req.Name, nil)
	if unknown := s.st.setKeyRoles(key, req.Roles, req.AssignedRoleIDs); unknown != "" {
		return q.fail(400, "BAD_REQUEST", "Invalid role id "+unknown)
	}
	overlay(key.doc, q.body, "ApiKey", "id", "roles", "createdAt", "keySuffix", "usedAt")
	id := key.doc["id"].(string)
	s.st.keys.put(id, key)
	s.st.keysByKeyID[key.keyID] = key
	s.st.record(s, q.now, "key_create", "")
	result := map[string]any{"key": key.doc}
	if req.HashData == nil {
		// The secret is in this answer only; it cannot be read back later.
		result["keyId"], result["keySecret"] = key.keyID, key.secret
	}
	return q.ok(result)
}

// maxKeys is the documented limit of API keys per organization.
const maxKeys = 100

func (q *request) lookupKey() (*apiKey, bool) { return q.s.st.keys.get(q.params["keyId"]) }

func openapiKeyGet(q *request) response {
	k, ok := q.lookupKey()
	if !ok {
		return q.notFound("API key")
	}
	return q.ok(k.doc)
}

// openapiKeyUpdate changes a key. New roles (legacy names, assigned role IDs, or both) replace
// the old ones and decide what the key may do from its next request on: a key demoted to
// developer gets 403 on every change after, as on the real API (it used to keep its old rights).
func openapiKeyUpdate(q *request) response {
	k, ok := q.lookupKey()
	if !ok {
		return q.notFound("API key")
	}
	var req struct {
		Roles           *[]string `json:"roles"`
		AssignedRoleIDs *[]string `json:"assignedRoleIds"`
	}
	if err := q.decodeBody(&req); err != nil {
		return q.fail(400, "BAD_REQUEST", err.Error())
	}
	if req.Roles != nil || req.AssignedRoleIDs != nil {
		var legacy, ids []string
		if req.Roles != nil {
			legacy = *req.Roles
		}
		if req.AssignedRoleIDs != nil {
			ids = *req.AssignedRoleIDs
		}
		if len(legacy) == 0 && len(ids) == 0 {
			// A key without a role could do nothing; the create request's document says "at
			// least 1 element", and the fake holds updates to the same rule.
			return q.fail(400, "BAD_REQUEST", "An API key needs at least one role")
		}
		// Check the IDs before touching the key: a refused update changes nothing.
		probe := &apiKey{doc: map[string]any{}}
		if unknown := q.s.st.setKeyRoles(probe, legacy, ids); unknown != "" {
			return q.fail(400, "BAD_REQUEST", "Invalid role id "+unknown)
		}
		k.doc["roles"], k.doc["assignedRoles"] = probe.doc["roles"], probe.doc["assignedRoles"]
	}
	overlay(k.doc, q.body, "ApiKey", "id", "roles", "createdAt", "keySuffix", "usedAt")
	if raw, set := jsonField(q.body, "expireAt"); set && string(raw) == "null" {
		k.doc["expireAt"] = nil
	}
	q.s.st.record(q.s, q.now, "openapi_key_update", "")
	return q.ok(k.doc)
}

func openapiKeyDelete(q *request) response {
	k, ok := q.lookupKey()
	if !ok {
		return q.notFound("API key")
	}
	if k == q.key {
		return q.fail(http.StatusBadRequest, "BAD_REQUEST", "An API key cannot delete itself")
	}
	q.s.st.keys.del(q.params["keyId"])
	delete(q.s.st.keysByKeyID, k.keyID)
	q.s.st.record(q.s, q.now, "key_delete", "")
	return q.done()
}

// --- members ---

func memberGetList(q *request) response {
	out := []any{}
	for _, id := range q.s.st.members.ids {
		m, _ := q.member(id)
		out = append(out, m)
	}
	return q.ok(out)
}

// member returns the member as reads see it now: a role change made less than the
// eventual-consistency delay ago is not visible yet (the real API echoes the old roles for
// about 30 s).
func (q *request) member(id string) (map[string]any, bool) {
	if change, ok := q.s.st.memberChanges[id]; ok && !q.now.Before(change.at) {
		q.s.st.members.put(id, change.doc)
		delete(q.s.st.memberChanges, id)
	}
	return q.s.st.members.get(id)
}

// memberChange is a member update that reads do not show before at.
type memberChange struct {
	doc map[string]any
	at  time.Time
}

func memberGet(q *request) response {
	m, ok := q.member(q.params["userId"])
	if !ok {
		return q.notFound("Member")
	}
	return q.ok(m)
}

func memberUpdate(q *request) response {
	id := q.params["userId"]
	current, ok := q.member(id)
	if !ok {
		return q.notFound("Member")
	}
	var req struct {
		Role            string   `json:"role"`
		AssignedRoleIDs []string `json:"assignedRoleIds"`
	}
	if err := q.decodeBody(&req); err != nil {
		return q.fail(400, "BAD_REQUEST", err.Error())
	}
	base := current
	if pending, ok := q.s.st.memberChanges[id]; ok {
		base = pending.doc
	}
	m := deepCopy(base).(map[string]any)
	if req.Role != "" {
		m["role"] = req.Role
		m["assignedRoles"] = []any{q.s.st.assignedRole(roleNameFor(req.Role))}
	}
	if len(req.AssignedRoleIDs) > 0 {
		assigned := []any{}
		for _, roleID := range req.AssignedRoleIDs {
			role, ok := q.s.st.roles.get(roleID)
			if !ok {
				return q.fail(400, "BAD_REQUEST", "Invalid role id "+roleID)
			}
			assigned = append(assigned, q.s.st.assignedRole(role["name"].(string)))
		}
		m["assignedRoles"] = assigned
	}
	q.s.st.record(q.s, q.now, "organization_member_update_role", "")
	if delay := q.s.cfg.consistencyDelay; delay > 0 {
		q.s.st.memberChanges[id] = memberChange{doc: m, at: q.now.Add(delay)}
		return q.ok(current)
	}
	q.s.st.members.put(id, m)
	return q.ok(m)
}

func memberDelete(q *request) response {
	id := q.params["userId"]
	if _, ok := q.s.st.members.get(id); !ok {
		return q.notFound("Member")
	}
	q.s.st.members.del(id)
	delete(q.s.st.memberChanges, id)
	q.s.st.record(q.s, q.now, "organization_member_delete", "")
	return q.done()
}

// --- invitations ---

func invitationGetList(q *request) response {
	out := []any{}
	for _, inv := range q.s.st.invitations.all() {
		out = append(out, inv)
	}
	return q.ok(out)
}

func invitationCreate(q *request) response {
	var req struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}
	if err := q.decodeBody(&req); err != nil {
		return q.fail(400, "BAD_REQUEST", err.Error())
	}
	email := strings.ToLower(req.Email)
	for _, inv := range q.s.st.invitations.all() {
		if inv["email"] == email {
			return q.fail(http.StatusConflict, "CONFLICT", fmt.Sprintf("An invitation for %s already exists", email))
		}
	}
	id := q.s.ids.UUID()
	inv := q.s.synthObject("Invitation", q.now)
	overlay(inv, q.body, "Invitation", "id")
	inv["id"] = id
	inv["email"] = email
	if req.Role == "" {
		req.Role = "developer"
	}
	inv["role"] = req.Role
	inv["assignedRoles"] = []any{q.s.st.assignedRole(roleNameFor(req.Role))}
	inv["createdAt"] = timestamp(q.now)
	inv["expireAt"] = timestamp(q.now.Add(7 * 24 * time.Hour))
	q.s.st.invitations.put(id, inv)
	q.s.st.record(q.s, q.now, "organization_invite_create", "")
	return q.ok(inv)
}

func invitationGet(q *request) response {
	inv, ok := q.s.st.invitations.get(q.params["invitationId"])
	if !ok {
		return q.notFound("Invitation")
	}
	return q.ok(inv)
}

func invitationDelete(q *request) response {
	id := q.params["invitationId"]
	if _, ok := q.s.st.invitations.get(id); !ok {
		return q.notFound("Invitation")
	}
	q.s.st.invitations.del(id)
	q.s.st.record(q.s, q.now, "organization_invite_delete", "")
	return q.done()
}

// --- roles ---

func organizationRolesGetList(q *request) response {
	out := []any{}
	for _, r := range q.s.st.roles.all() {
		out = append(out, r)
	}
	return q.ok(out)
}

func organizationRolePost(q *request) response {
	id := q.s.ids.UUID()
	role := q.s.synthObject("RBACRole", q.now)
	overlay(role, q.body, "RBACRole", "id", "type", "policies")
	role["id"] = id
	role["type"] = "custom"
	role["tenantId"] = "organization/" + q.s.OrganizationID
	role["ownerId"] = "organization/" + q.s.OrganizationID
	role["createdAt"] = timestamp(q.now)
	role["updatedAt"] = timestamp(q.now)
	q.s.st.roles.put(id, role)
	return q.ok(role)
}

func organizationRoleGet(q *request) response {
	role, ok := q.s.st.roles.get(q.params["roleId"])
	if !ok {
		return q.notFound("Role")
	}
	return q.ok(role)
}

func organizationRolePatch(q *request) response {
	role, ok := q.s.st.roles.get(q.params["roleId"])
	if !ok {
		return q.notFound("Role")
	}
	if role["type"] == "system" {
		return q.fail(http.StatusBadRequest, "BAD_REQUEST", "System roles cannot be changed")
	}
	overlay(role, q.body, "RBACRole", "id", "type", "policies")
	role["updatedAt"] = timestamp(q.now)
	return q.ok(role)
}

func organizationRoleDelete(q *request) response {
	id := q.params["roleId"]
	role, ok := q.s.st.roles.get(id)
	if !ok {
		return q.notFound("Role")
	}
	if role["type"] == "system" {
		return q.fail(http.StatusBadRequest, "BAD_REQUEST", "System roles cannot be deleted")
	}
	q.s.st.roles.del(id)
	return q.done()
}
