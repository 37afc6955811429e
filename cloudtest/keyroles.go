package cloudtest

import (
	"slices"
	"strings"
	"time"

	"github.com/chcloud-dev/chcloud/spec"
)

// access is what a key's roles let it do, from least to most. The console's documented roles
// (docs: "Console roles and permissions") decide it: Admin does everything, Service Admin manages
// existing services, every other system role (Developer, Org Member, Service Read Only) and the
// legacy "developer" and "query_endpoints" roles only read. The fake does not evaluate the
// policies of custom roles: a key with a custom role may do everything, so that a test of custom
// roles is never refused by a policy language the fake does not implement.
type access int

const (
	accessRead     access = iota // GET only
	accessServices               // GET, and changes to an existing service and what belongs to it
	accessAll                    // every operation
)

// accessOf is the access the key's roles give: the most any of its roles gives. Assigned roles
// decide when the key has any (the document calls the legacy "roles" frozen once an organization
// uses assigned roles); the legacy roles decide otherwise.
func (k *apiKey) access() access {
	assigned, _ := k.doc["assignedRoles"].([]any)
	if len(assigned) > 0 {
		most := accessRead
		for _, a := range assigned {
			m, _ := a.(map[string]any)
			switch {
			case m["roleType"] == "custom", m["roleName"] == "Admin":
				return accessAll
			case m["roleName"] == "Service Admin":
				most = accessServices
			}
		}
		return most
	}
	roles, _ := k.doc["roles"].([]any)
	if slices.Contains(roles, any("admin")) {
		return accessAll
	}
	return accessRead
}

// servicePrefix is the path of an existing service; everything under it is what Service Admin
// manages.
const servicePrefix = "/v1/organizations/{organizationId}/services/{serviceId}"

// permits reports whether a key with access a may call op.
func (a access) permits(op spec.Operation) bool {
	switch {
	case !op.Mutating(), a == accessAll:
		return true
	case a == accessServices:
		return op.Path == servicePrefix || strings.HasPrefix(op.Path, servicePrefix+"/")
	}
	return false
}

// legacyRoles are the system roles the deprecated "roles" field names, by their name there.
var legacyRoles = map[string]string{"admin": "Admin", "developer": "Developer"}

// setKeyRoles gives key the roles of a create or update request: the legacy role names and the
// IDs of assigned roles, together (the CLI's --role and --role-id can be combined). The key's
// assignedRoles become exactly those roles, and its legacy "roles" the legacy names among them,
// so that both fields tell the same story and the key may do what they say from its next request.
// An unknown role ID changes nothing and is returned, for the handler's BAD_REQUEST (as the real
// API refuses it).
func (st *state) setKeyRoles(key *apiKey, legacy []string, roleIDs []string) (unknownRoleID string) {
	assigned := []any{}
	names := []any{}
	seen := map[any]bool{}
	add := func(role map[string]any) {
		if seen[role["roleId"]] {
			return
		}
		seen[role["roleId"]] = true
		assigned = append(assigned, role)
	}
	for _, name := range legacy {
		names = append(names, name)
		if system, ok := legacyRoles[name]; ok {
			add(st.assignedRole(system))
		}
	}
	for _, id := range roleIDs {
		role, ok := st.roles.get(id)
		if !ok {
			return id
		}
		name, _ := role["name"].(string)
		add(map[string]any{"roleId": role["id"], "roleName": name, "roleType": role["type"]})
		for legacyName, system := range legacyRoles {
			if role["type"] == "system" && name == system && !slices.Contains(names, any(legacyName)) {
				names = append(names, legacyName)
			}
		}
	}
	key.doc["roles"] = names
	key.doc["assignedRoles"] = assigned
	return ""
}

// keyExpired reports whether the key's expireAt has passed at now (the fake's clock).
func keyExpired(key *apiKey, now time.Time) bool {
	exp, ok := key.doc["expireAt"].(string)
	if !ok || exp == "" {
		return false
	}
	t, err := time.Parse(time.RFC3339, exp)
	return err == nil && !now.Before(t)
}
