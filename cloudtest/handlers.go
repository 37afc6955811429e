package cloudtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
)

// handler answers one operation with the server's state locked.
type handler func(q *request) response

// handlers are the operations the fake keeps state for; every other operation of the document
// gets an answer synthesized from its documented schema (see synthesized).
var handlers = map[string]handler{}

func init() {
	maps.Copy(handlers, map[string]handler{
		"organizationGetList": organizationGetList,
		"organizationGet":     organizationGet,
		"organizationUpdate":  organizationUpdate,
		"activityGetList":     activityGetList,
		"activityGet":         activityGet,

		"instanceGetList":                  instanceGetList,
		"instanceCreate":                   instanceCreate,
		"instanceGet":                      instanceGet,
		"instanceUpdate":                   instanceUpdate,
		"instanceDelete":                   instanceDelete,
		"instanceStateUpdate":              instanceStateUpdate,
		"instanceScalingUpdate":            instanceScalingUpdate,
		"instanceReplicaScalingUpdate":     instanceReplicaScalingUpdate,
		"instancePasswordUpdate":           instancePasswordUpdate,
		"instancePrivateEndpointConfigGet": instancePrivateEndpointConfigGet,
		"backupGetList":                    backupGetList,
		"backupGet":                        backupGet,
		"backupConfigurationGet":           backupConfigurationGet,
		"backupConfigurationUpdate":        backupConfigurationUpdate,

		"openapiKeyGetList": openapiKeyGetList,
		"openapiKeyCreate":  openapiKeyCreate,
		"openapiKeyGet":     openapiKeyGet,
		"openapiKeyUpdate":  openapiKeyUpdate,
		"openapiKeyDelete":  openapiKeyDelete,

		"memberGetList": memberGetList,
		"memberGet":     memberGet,
		"memberUpdate":  memberUpdate,
		"memberDelete":  memberDelete,

		"invitationGetList": invitationGetList,
		"invitationCreate":  invitationCreate,
		"invitationGet":     invitationGet,
		"invitationDelete":  invitationDelete,

		"organizationRolesGetList": organizationRolesGetList,
		"organizationRolePost":     organizationRolePost,
		"organizationRoleGet":      organizationRoleGet,
		"organizationRolePatch":    organizationRolePatch,
		"organizationRoleDelete":   organizationRoleDelete,
	})
}

// dispatch runs the operation's handler, or synthesizes its answer.
func (q *request) dispatch() response {
	q.s.mu.Lock()
	defer q.s.mu.Unlock()
	if q.s.cfg.provisioningFails && q.underProvisioningService() {
		return q.fail(http.StatusInternalServerError, "INTERNAL_ERROR", "Internal error")
	}
	if h, ok := handlers[q.route.op.ID]; ok {
		return h(q)
	}
	if resp, missing := q.unnamedItem(); missing {
		return resp
	}
	if resp, done := q.clickStackItem(); done {
		return resp
	}
	return q.synthesized()
}

// underProvisioningService reports whether the request addresses a sub-resource of a service
// that is still provisioning (the service itself can be read, stopped and deleted).
func (q *request) underProvisioningService() bool {
	if _, scoped := q.params["serviceId"]; !scoped || strings.HasSuffix(q.route.op.Path, "{serviceId}") ||
		strings.HasSuffix(q.route.op.Path, "{serviceId}/state") {
		return false
	}
	svc, ok := q.lookupService()
	return ok && svc.state == "provisioning"
}

// synthesized answers an operation the fake keeps no state for: a value built from the
// documented success schema, the same for the same request path (a POST: for the same request). Operations under a service
// or a Postgres service answer 404 when that parent does not exist.
func (q *request) synthesized() response {
	if _, scoped := q.params["serviceId"]; scoped {
		if _, ok := q.lookupService(); !ok {
			return q.serviceNotFound()
		}
	}
	if _, scoped := q.params["postgresId"]; scoped {
		if _, ok := q.lookupPostgres(); !ok {
			return q.postgresNotFound()
		}
	}
	rt := q.route
	key := rt.op.ID + " " + q.r.URL.Path
	if q.r.Method == http.MethodPost {
		// Each create makes a new item: two creates on one path must not answer the same ID,
		// or deleting one would delete the other (ClickStack items are remembered as deleted).
		key += " " + q.requestID
	}
	switch {
	case strings.HasPrefix(rt.mimeType, "text/plain"):
		return response{status: rt.success, contentType: rt.mimeType, body: []byte(prometheusText(q))}
	case rt.mimeType == "application/x-pem-file":
		return response{status: rt.success, contentType: rt.mimeType, body: fakeCACertificate()}
	case rt.response == nil:
		return q.done()
	}
	g := newSynthesizer(uint64(q.s.cfg.seed), key, q.now)
	if rt.result == nil {
		// No envelope result: either a DELETE-style answer or a bare document (Prometheus discovery).
		v := g.value(rt.response, "", 0)
		if m, ok := v.(map[string]any); ok {
			if _, has := rt.response.Value.Properties["requestId"]; has {
				m["requestId"] = q.requestID
			}
			if _, has := rt.response.Value.Properties["status"]; has {
				m["status"] = rt.success
			}
		}
		raw, _ := json.Marshal(v)
		return response{status: rt.success, contentType: "application/json", body: raw}
	}
	result := g.value(rt.result, "result", 0)
	q.echoIdentifiers(result)
	q.freshID(result)
	return q.ok(q.onePage(result))
}

// onePage makes a synthesized list a single, last page, so that a client following cursors or
// offsets stops: the cursor page says there is no next cursor, and an offset past 0 is empty.
func (q *request) onePage(result any) any {
	query := q.r.URL.Query()
	if list, ok := result.([]any); ok {
		if off := query.Get("offset"); off != "" && off != "0" {
			return []any{}
		}
		return list
	}
	m, ok := result.(map[string]any)
	if !ok {
		return result
	}
	page, ok := m["pagination"].(map[string]any)
	if !ok {
		return result
	}
	items, _ := m["items"].([]any)
	if cursor := query.Get("cursor"); cursor != "" {
		items = []any{} // the synthesized list has a single page: anything after it is empty
		m["items"] = items
		page["currentCursor"] = cursor
	} else {
		page["currentCursor"] = nil
	}
	page["nextCursor"] = nil
	page["totalRecords"] = len(items)
	limit := len(items)
	if l, err := strconv.Atoi(query.Get("limit")); err == nil && l > 0 {
		limit = l
	}
	page["limit"] = limit
	return m
}

// echoIdentifiers makes a synthesized item carry the IDs of its own path: GET .../backups/{id}
// answers with that id, and sub-resources name their service.
func (q *request) echoIdentifiers(result any) {
	m, ok := result.(map[string]any)
	if !ok {
		return
	}
	if n := len(q.route.params); n > 0 {
		last := q.route.params[n-1]
		// Only a path that names the item itself gives it its id: a create under a service
		// (POST .../clickstack/alerts) must not answer with the service's ID.
		if _, has := m["id"].(string); has && last != "organizationId" && strings.HasSuffix(q.route.op.Path, "{"+last+"}") &&
			uuidPattern().MatchString(q.params[last]) {
			m["id"] = q.params[last]
		}
	}
	if id, ok := q.params["serviceId"]; ok {
		if _, has := m["serviceId"].(string); has {
			m["serviceId"] = id
		}
	}
}

// freshID gives the item a create answers a new id: synthesized values follow the schema's
// examples, and two items with the document's example id would be one item to the fake (deleting
// one would delete the other). The new id keeps the example's shape (a UUID, or the 24 hex
// digits of ClickStack's ids).
func (q *request) freshID(result any) {
	m, ok := result.(map[string]any)
	if !ok || q.r.Method != http.MethodPost {
		return
	}
	old, ok := m["id"].(string)
	if !ok {
		return
	}
	id := q.s.ids.UUID()
	if !uuidPattern().MatchString(old) {
		id = strings.ReplaceAll(id, "-", "")[:min(len(old), 32)]
	}
	m["id"] = id
}

// jsonField returns a top-level field of a JSON object body and whether it was present.
func jsonField(body []byte, name string) (json.RawMessage, bool) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return nil, false
	}
	v, ok := fields[name]
	return v, ok
}

// prometheusText is a small Prometheus exposition, as the metrics endpoints answer.
func prometheusText(q *request) string {
	scope := q.s.OrganizationID
	if id, ok := q.params["serviceId"]; ok {
		scope = id
	} else if id, ok := q.params["postgresId"]; ok {
		scope = id
	}
	return fmt.Sprintf(`# HELP ClickHouseProfileEvents_Query Number of queries to be interpreted and potentially executed.
# TYPE ClickHouseProfileEvents_Query counter
ClickHouseProfileEvents_Query{clickhouse_org="%[1]s",clickhouse_service="%[2]s",hostname="c-fake-server-0"} 42
# HELP ClickHouseMetrics_MemoryTracking Total amount of memory (bytes) allocated by the server.
# TYPE ClickHouseMetrics_MemoryTracking gauge
ClickHouseMetrics_MemoryTracking{clickhouse_org="%[1]s",clickhouse_service="%[2]s",hostname="c-fake-server-0"} 1073741824
`, q.s.OrganizationID, scope)
}

// The ids that name nothing. The fake keeps no state for some operations (UDFs, BYOC, reverse
// private endpoints, quotas, ClickStack items...) and synthesizes an item for any id it is asked
// about, so it cannot tell an unknown id from a known one; these values, well-formed for their
// parameter, are the ones it answers 404 for, as the real API answers an id that names nothing.
// The conformance suite's unknown-id scenarios use them; any other value still gets an item.
const (
	UnknownUUID     = "0c0ffee0-dead-4bad-8bad-0000c0ffee04" // any uuid parameter
	UnknownObjectID = "0c0ffee0c0ffee0c0ffee000"             // ClickStack ids: 24 hex digits
	UnknownName     = "chcconf_unknown"                      // UDF function names, setting names, quota codes, query ids
	UnknownVersion  = "999999"                               // UDF versions
)

var unknownIDs = map[string]bool{UnknownUUID: true, UnknownObjectID: true, UnknownName: true, UnknownVersion: true}

// unnamedItem answers 404 to an operation the fake keeps no state for when its path names an
// item by one of the ids that name nothing. A ClickStack item answers "NOT_FOUND: Unknown Error"
// with QuirkClickStackUnknownError, as the real API does.
func (q *request) unnamedItem() (response, bool) {
	for _, name := range q.route.params {
		v := q.params[name]
		if !unknownIDs[v] || name == "organizationId" {
			continue
		}
		if strings.HasPrefix(name, "clickStack") && q.s.quirk(QuirkClickStackUnknownError) {
			return q.fail(http.StatusNotFound, "NOT_FOUND", "Unknown Error"), true
		}
		return q.fail(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("%s %s not found", strings.TrimSuffix(name, "Id"), v)), true
	}
	return response{}, false
}
