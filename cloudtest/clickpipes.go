package cloudtest

import (
	"fmt"
	"maps"
	"net/http"
	"time"
)

// clickPipe is a ClickPipe and its lifecycle (states are capitalised, as in the real API).
type clickPipe struct {
	doc    map[string]any
	state  string
	next   string
	nextAt time.Time
}

func (p *clickPipe) advance(now time.Time) {
	if p.next != "" && !now.Before(p.nextAt) {
		p.state, p.next = p.next, ""
		p.doc["updatedAt"] = timestamp(p.nextAt)
	}
}

func (p *clickPipe) transition(now time.Time, via, to string, d time.Duration) {
	p.state, p.next, p.nextAt = via, to, now.Add(d)
}

// view is the pipe as the API shows it. A Kafka source without reverse private endpoints shows
// them as null with QuirkNullReversePrivateEndpoints, as the real API does, else as [].
func (p *clickPipe) view(quirks Quirks) map[string]any {
	out := make(map[string]any, len(p.doc)+1)
	maps.Copy(out, p.doc)
	out["state"] = p.state
	src, _ := p.doc["source"].(map[string]any)
	kafka, _ := src["kafka"].(map[string]any)
	if ids, _ := kafka["reversePrivateEndpointIds"].([]any); kafka != nil && len(ids) == 0 {
		k := maps.Clone(kafka)
		k["reversePrivateEndpointIds"] = []any{}
		if quirks.Has(QuirkNullReversePrivateEndpoints) {
			k["reversePrivateEndpointIds"] = nil
		}
		s := maps.Clone(src)
		s["kafka"] = k
		out["source"] = s
	}
	return out
}

func init() {
	maps.Copy(handlers, map[string]handler{
		"clickPipeGetList":        clickPipeGetList,
		"clickPipeCreate":         clickPipeCreate,
		"clickPipeGet":            clickPipeGet,
		"clickPipeUpdate":         clickPipeUpdate,
		"clickPipeDelete":         clickPipeDelete,
		"clickPipeStateUpdate":    clickPipeStateUpdate,
		"clickPipeScalingUpdate":  clickPipeScalingUpdate,
		"clickPipeSettingsGet":    clickPipeSettings,
		"clickPipeSettingsUpdate": clickPipeSettings,
	})
}

func clickPipeGetList(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	out := []any{}
	for _, p := range svc.clickpipes.all() {
		p.advance(q.now)
		out = append(out, p.view(q.s.cfg.quirks))
	}
	return q.ok(out)
}

func clickPipeCreate(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	if svc.state != "running" {
		msg := "ClickPipe creation is allowed only when the ClickHouse service is running. Current state: " + svc.state
		if !q.s.quirk(QuirkClickPipeFailedDependency) {
			return q.fail(http.StatusBadRequest, "BAD_REQUEST", msg)
		}
		// The real API's answer, undeclared in the document (see testdata/real-responses).
		return q.fail(http.StatusFailedDependency, "FAILED_DEPENDENCY", msg)
	}
	id := q.s.ids.UUID()
	doc := q.s.synthObject("ClickPipe", q.now)
	if src, ok := doc["source"].(map[string]any); ok {
		// The template has a source of every kind; a pipe reads from one.
		// Reverse private endpoints are opt-in: a pipe has none unless its request names some.
		kafka, _ := src["kafka"].(map[string]any)
		if kafka != nil {
			kafka["reversePrivateEndpointIds"] = []any{}
		}
		doc["source"] = map[string]any{"kafka": kafka}
	}
	overlay(doc, q.body, "ClickPipe", "id", "state", "serviceId")
	doc["id"] = id
	doc["serviceId"] = svc.id
	doc["createdAt"] = timestamp(q.now)
	doc["updatedAt"] = timestamp(q.now)
	p := &clickPipe{doc: doc}
	p.transition(q.now, "Provisioning", "Running", q.s.cfg.provisioningDelay)
	svc.clickpipes.put(id, p)
	return q.ok(p.view(q.s.cfg.quirks))
}

func (q *request) lookupClickPipe() (*service, *clickPipe, response, bool) {
	svc, ok := q.lookupService()
	if !ok {
		return nil, nil, q.serviceNotFound(), false
	}
	p, ok := svc.clickpipes.get(q.params["clickPipeId"])
	if !ok {
		return nil, nil, q.fail(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("ClickPipe with id %s not found", q.params["clickPipeId"])), false
	}
	p.advance(q.now)
	return svc, p, response{}, true
}

func clickPipeGet(q *request) response {
	_, p, fail, ok := q.lookupClickPipe()
	if !ok {
		return fail
	}
	return q.ok(p.view(q.s.cfg.quirks))
}

func clickPipeUpdate(q *request) response {
	_, p, fail, ok := q.lookupClickPipe()
	if !ok {
		return fail
	}
	overlay(p.doc, q.body, "ClickPipe", "id", "state", "serviceId")
	p.doc["updatedAt"] = timestamp(q.now)
	return q.ok(p.view(q.s.cfg.quirks))
}

func clickPipeDelete(q *request) response {
	svc, _, fail, ok := q.lookupClickPipe()
	if !ok {
		return fail
	}
	svc.clickpipes.del(q.params["clickPipeId"])
	return q.done()
}

func clickPipeStateUpdate(q *request) response {
	_, p, fail, ok := q.lookupClickPipe()
	if !ok {
		return fail
	}
	var req struct {
		Command string `json:"command"`
	}
	if err := q.decodeBody(&req); err != nil {
		return q.fail(400, "BAD_REQUEST", err.Error())
	}
	d := q.s.cfg.transitionDelay
	switch req.Command {
	case "stop":
		if p.state != "Stopped" && p.state != "Stopping" {
			p.transition(q.now, "Stopping", "Stopped", d)
		}
	case "start":
		if p.state == "Stopped" || p.state == "Paused" || p.state == "Failed" {
			p.transition(q.now, "Provisioning", "Running", d)
		}
	case "resync":
		p.transition(q.now, "Resync", "Running", d)
	}
	return q.ok(p.view(q.s.cfg.quirks))
}

func clickPipeScalingUpdate(q *request) response {
	_, p, fail, ok := q.lookupClickPipe()
	if !ok {
		return fail
	}
	scaling, _ := p.doc["scaling"].(map[string]any)
	if scaling == nil {
		scaling = map[string]any{}
	}
	overlay(scaling, q.body, "ClickPipeScaling")
	p.doc["scaling"] = scaling
	p.doc["updatedAt"] = timestamp(q.now)
	return q.ok(p.view(q.s.cfg.quirks))
}

// clickPipeSettings answers the settings of streaming and object-storage pipes; CDC pipes
// (Postgres, MySQL, MongoDB) have none and answer 404, as the real API does
// (QuirkCDCSettingsNotFound; 400 without it).
func clickPipeSettings(q *request) response {
	_, p, fail, ok := q.lookupClickPipe()
	if !ok {
		return fail
	}
	src, _ := p.doc["source"].(map[string]any)
	for _, cdc := range []string{"postgres", "mysql", "mongodb"} {
		if src[cdc] != nil {
			const msg = "Settings are not available for CDC ClickPipes"
			if !q.s.quirk(QuirkCDCSettingsNotFound) {
				return q.fail(http.StatusBadRequest, "BAD_REQUEST", msg)
			}
			return q.fail(http.StatusNotFound, "NOT_FOUND", msg)
		}
	}
	return q.synthesized()
}
