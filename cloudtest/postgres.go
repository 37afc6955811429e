package cloudtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"time"
)

// postgresService is a managed Postgres service: creating -> running, restarting, deleting.
type postgresService struct {
	doc    map[string]any
	state  string
	next   string
	nextAt time.Time
	gone   bool
	// primary is the ID of the service this one is a read replica of ("" for a primary).
	primary string
}

func (p *postgresService) advance(now time.Time) {
	if p.next != "" && !now.Before(p.nextAt) {
		p.state, p.next = p.next, ""
		if p.state == "deleted" {
			p.gone = true
		}
	}
}

func (p *postgresService) transition(now time.Time, via, to string, d time.Duration) {
	p.state, p.next, p.nextAt = via, to, now.Add(d)
}

// view is the PostgresService document without the credentials, which only the create and
// password answers carry.
func (p *postgresService) view() map[string]any {
	out := make(map[string]any, len(p.doc)+1)
	maps.Copy(out, p.doc)
	out["state"] = p.state
	return out
}

func (p *postgresService) listItem() map[string]any {
	out := p.view()
	ref := schemaRef("PostgresServiceListItem")
	for k := range out {
		if ref != nil && ref.Value != nil && ref.Value.Properties[k] == nil {
			delete(out, k)
		}
	}
	return out
}

func init() {
	maps.Copy(handlers, map[string]handler{
		"postgresServiceCreate":      postgresServiceCreate,
		"postgresServiceGetList":     postgresServiceGetList,
		"postgresServiceGet":         postgresServiceGet,
		"postgresServiceDelete":      postgresServiceDelete,
		"postgresServicePatch":       postgresServicePatch,
		"postgresServiceSetPassword": postgresServiceSetPassword,
		"postgresServicePatchState":  postgresServicePatchState,

		"postgresInstanceCreateReadReplica": postgresInstanceCreateReadReplica,
	})
}

func (q *request) lookupPostgres() (*postgresService, bool) {
	id := q.params["postgresId"]
	p, ok := q.s.st.postgres.get(id)
	if !ok {
		return nil, false
	}
	p.advance(q.now)
	if p.gone {
		q.s.st.postgres.del(id)
		return nil, false
	}
	return p, true
}

func (q *request) postgresNotFound() response {
	return q.fail(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Postgres service with id %s not found", q.params["postgresId"]))
}

func postgresServiceCreate(q *request) response {
	id := q.s.ids.UUID()
	doc := q.s.synthObject("PostgresService", q.now)
	overlay(doc, q.body, "PostgresService", "id", "state")
	doc["id"] = id
	doc["createdAt"] = timestamp(q.now)
	doc["isPrimary"] = true
	doc["username"] = "postgres"
	doc["hostname"] = fmt.Sprintf("%s.%v.pg.clickhouse.cloud", id[:10], doc["region"])
	delete(doc, "password")
	delete(doc, "connectionString")
	p := &postgresService{doc: doc}
	p.transition(q.now, "creating", "running", q.s.cfg.provisioningDelay)
	q.s.st.postgres.put(id, p)
	out := p.view()
	password := "Fake-" + q.s.ids.Token(18, alphanumeric)
	out["password"] = password
	out["connectionString"] = fmt.Sprintf("postgres://postgres:%s@%s:5432/postgres?sslmode=require", password, doc["hostname"])
	return q.ok(out)
}

func postgresServiceGetList(q *request) response {
	out := []any{}
	for _, id := range append([]string(nil), q.s.st.postgres.ids...) {
		p, _ := q.s.st.postgres.get(id)
		p.advance(q.now)
		if p.gone {
			q.s.st.postgres.del(id)
			continue
		}
		out = append(out, p.listItem())
	}
	return q.ok(out)
}

func postgresServiceGet(q *request) response {
	p, ok := q.lookupPostgres()
	if !ok {
		return q.postgresNotFound()
	}
	return q.ok(p.view())
}

func postgresServiceDelete(q *request) response {
	p, ok := q.lookupPostgres()
	if !ok {
		return q.postgresNotFound()
	}
	if replica := q.replicaOf(p); replica != "" {
		msg := fmt.Sprintf("Postgres service %s has a read replica (%s): delete the replica first", q.params["postgresId"], replica)
		if !q.s.quirk(QuirkDependentReplica) {
			return q.fail(http.StatusBadRequest, "BAD_REQUEST", msg)
		}
		body, _ := json.Marshal(struct {
			Status    int    `json:"status"`
			RequestID string `json:"requestId"`
			Error     string `json:"error"`
			Code      string `json:"code"`
		}{http.StatusConflict, q.requestID, "CONFLICT: " + msg, "DEPENDENT_REPLICA"})
		return response{status: http.StatusConflict, contentType: "application/json", body: body}
	}
	if p.state != "deleting" {
		p.transition(q.now, "deleting", "deleted", q.s.cfg.transitionDelay)
	}
	if q.s.quirk(QuirkDeleteShapes) && deleteShapeOf(q.route.op.ID) == deleteFull {
		return q.ok(p.view()) // the real API's full envelope: the service being deleted
	}
	return q.done()
}

// replicaOf returns the ID of a read replica of p that is not on its way out, or "".
func (q *request) replicaOf(p *postgresService) string {
	id, _ := p.doc["id"].(string)
	for _, rid := range q.s.st.postgres.ids {
		r, _ := q.s.st.postgres.get(rid)
		r.advance(q.now)
		if r.primary == id && !r.gone && r.state != "deleting" {
			return rid
		}
	}
	return ""
}

// postgresInstanceCreateReadReplica makes a read replica of a running primary: a Postgres
// service of its own (listed, readable, deletable), which keeps the primary from being deleted.
func postgresInstanceCreateReadReplica(q *request) response {
	primary, ok := q.lookupPostgres()
	if !ok {
		return q.postgresNotFound()
	}
	if primary.primary != "" {
		return q.fail(http.StatusBadRequest, "BAD_REQUEST", "A read replica cannot have read replicas")
	}
	id := q.s.ids.UUID()
	doc := deepCopy(primary.doc).(map[string]any)
	overlay(doc, q.body, "PostgresService", "id", "state", "provider", "region", "postgresVersion", "size")
	doc["id"] = id
	doc["createdAt"] = timestamp(q.now)
	doc["isPrimary"] = false
	doc["hostname"] = fmt.Sprintf("%s.%v.pg.clickhouse.cloud", id[:10], doc["region"])
	r := &postgresService{doc: doc, primary: primary.doc["id"].(string)}
	r.transition(q.now, "creating", "running", q.s.cfg.provisioningDelay)
	q.s.st.postgres.put(id, r)
	return q.ok(r.view())
}

func postgresServicePatch(q *request) response {
	p, ok := q.lookupPostgres()
	if !ok {
		return q.postgresNotFound()
	}
	overlay(p.doc, q.body, "PostgresService", "id", "state")
	return q.ok(p.view())
}

func postgresServiceSetPassword(q *request) response {
	if _, ok := q.lookupPostgres(); !ok {
		return q.postgresNotFound()
	}
	if _, given := jsonField(q.body, "password"); given {
		return q.ok(map[string]any{})
	}
	return q.ok(map[string]any{"password": "Fake-" + q.s.ids.Token(18, alphanumeric)})
}

func postgresServicePatchState(q *request) response {
	p, ok := q.lookupPostgres()
	if !ok {
		return q.postgresNotFound()
	}
	if p.state == "running" {
		p.transition(q.now, "restarting", "running", q.s.cfg.transitionDelay)
	}
	return q.ok(p.view())
}
