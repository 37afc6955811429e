package cloudtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// service is a ClickHouse service and its lifecycle. raw holds the Service document as JSON,
// without its state, which is computed from the lifecycle fields each time the service is read.
// Keeping the document encoded keeps a stored service small (about 2 KB) and makes reads cheap:
// reads are most of the traffic, changes to the document are rare.
type service struct {
	id    string
	raw   []byte // the Service document without "state", a JSON object
	state string

	// derived from the document when it is set
	idleScaling bool
	idleTimeout time.Duration // 0: the server's default
	tags        map[string]string

	next   string    // state the service moves to at nextAt; "" when settled
	nextAt time.Time //

	runningSince time.Time // when it last became running (for idling)
	stoppedAt    time.Time // when it last became stopped (for the delete cooldown)
	gone         bool      // terminated: answers 404 from now on

	backups      ordered[map[string]any]
	backupConfig map[string]any // nil until first read or changed
	clickpipes   ordered[*clickPipe]
	settings     ordered[string] // ClickHouse settings set through the API (settings.go)
}

// doc returns a decoded copy of the document, to read or to change and give to setDoc.
func (svc *service) doc() map[string]any {
	var doc map[string]any
	if err := json.Unmarshal(svc.raw, &doc); err != nil || doc == nil {
		doc = map[string]any{}
	}
	return doc
}

// setDoc stores a changed document.
func (svc *service) setDoc(doc map[string]any) {
	delete(doc, "state")
	raw, err := json.Marshal(doc)
	if err != nil {
		return // the document only ever holds decoded JSON
	}
	svc.raw = raw
	b, ok := doc["idleScaling"].(bool)
	svc.idleScaling = !ok || b
	svc.idleTimeout = 0
	if m, ok := doc["idleTimeoutMinutes"].(float64); ok && m > 0 {
		svc.idleTimeout = time.Duration(m * float64(time.Minute))
	}
	svc.tags = nil
	tags, _ := doc["tags"].([]any)
	for _, t := range tags {
		if m, ok := t.(map[string]any); ok {
			if svc.tags == nil {
				svc.tags = map[string]string{}
			}
			k, _ := m["key"].(string)
			v, _ := m["value"].(string)
			svc.tags[k] = v
		}
	}
}

// transition starts a move through a transitional state: the service is in `via` now and in
// `to` after d.
func (svc *service) transition(now time.Time, via, to string, d time.Duration) {
	svc.state, svc.next, svc.nextAt = via, to, now.Add(d)
}

// advance applies the transitions that are due at now.
func (svc *service) advance(now time.Time, idleTimeout time.Duration) {
	for svc.next != "" && !now.Before(svc.nextAt) {
		svc.state, svc.next = svc.next, ""
		switch svc.state {
		case "running":
			svc.runningSince = svc.nextAt
		case "stopped":
			svc.stoppedAt = svc.nextAt
		case "terminated":
			svc.gone = true
		}
	}
	if svc.state == "running" && svc.next == "" && svc.idleScaling {
		timeout := idleTimeout
		if svc.idleTimeout > 0 {
			timeout = svc.idleTimeout
		}
		if !now.Before(svc.runningSince.Add(timeout)) {
			svc.state = "idle"
		}
	}
}

// view is the Service document as the API shows it now.
func (svc *service) view() map[string]any {
	doc := svc.doc()
	doc["state"] = svc.state
	return doc
}

// viewJSON is view() encoded: the stored document with the current state spliced in.
func (svc *service) viewJSON() []byte {
	out := make([]byte, 0, len(svc.raw)+len(svc.state)+12)
	out = append(out, `{"state":"`...)
	out = append(out, svc.state...)
	out = append(out, '"')
	if len(svc.raw) > 2 {
		out = append(out, ',')
	}
	return append(out, svc.raw[1:]...)
}

// backupConfiguration returns the service's backup configuration, the default until changed.
func (svc *service) backupConfiguration() map[string]any {
	if svc.backupConfig == nil {
		svc.backupConfig = map[string]any{"backupPeriodInHours": 24.0, "backupRetentionPeriodInHours": 48.0, "backupStartTime": "02:00"}
	}
	return svc.backupConfig
}

// lookupService finds a live service by ID, applying its due transitions. Callers hold s.mu.
func (q *request) lookupService() (*service, bool) {
	id := q.params["serviceId"]
	svc, ok := q.s.st.services.get(id)
	if !ok {
		return nil, false
	}
	svc.advance(q.now, q.s.cfg.idleTimeout)
	if svc.gone {
		q.s.st.services.del(id)
		return nil, false
	}
	return svc, true
}

func (q *request) serviceNotFound() response {
	return q.fail(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Service with id %s not found", q.params["serviceId"]))
}

func instanceGetList(q *request) response {
	filters := q.r.URL.Query()["filter"]
	out := []any{}
	for _, id := range append([]string(nil), q.s.st.services.ids...) {
		svc, _ := q.s.st.services.get(id)
		svc.advance(q.now, q.s.cfg.idleTimeout)
		if svc.gone {
			q.s.st.services.del(id)
			continue
		}
		if svc.matchesTagFilters(filters) {
			out = append(out, json.RawMessage(svc.viewJSON()))
		}
	}
	return q.ok(out)
}

// matchesTagFilters applies the service list's repeated filter=tag:Key=Value (and tag:Key).
func (svc *service) matchesTagFilters(filters []string) bool {
	for _, f := range filters {
		spec, ok := strings.CutPrefix(f, "tag:")
		if !ok {
			continue
		}
		key, value, hasValue := strings.Cut(spec, "=")
		got, found := svc.tags[key]
		if !found || (hasValue && got != value) {
			return false
		}
	}
	return true
}

func instanceCreate(q *request) response {
	s := q.s
	id := s.ids.UUID()
	doc := s.synthObject("Service", q.now)
	// Defaults of a new service where a random value would be implausible; the request wins.
	for _, optIn := range []string{"byocId", "encryptionKey", "encryptionAssumedRoleIdentifier", "encryptionRoleId",
		"transparentDataEncryptionKeyId", "complianceType", "profile", "iamRole", "scalingSchedule", "tier",
		"minTotalMemoryGb", "maxTotalMemoryGb"} {
		delete(doc, optIn)
	}
	maps.Copy(doc, map[string]any{
		"clickhouseVersion": "25.8.1.8344", "idleScaling": true, "idleTimeoutMinutes": 15.0, "isReadonly": false,
		"isPrimary": true, "releaseChannel": "default", "hasTransparentDataEncryption": false, "enableCoreDumps": false,
		"tags": []any{}, "privateEndpointIds": []any{}, "availablePrivateEndpointIds": []any{}, "ipAccessList": []any{},
		"dataWarehouseId": s.ids.UUID(), "autoscalingMode": "vertical", "numReplicas": 3,
		"minReplicaMemoryGb": 8.0, "maxReplicaMemoryGb": 120.0,
	})
	overlay(doc, q.body, "Service", "state", "id")
	doc["id"] = id
	if _, ok := doc["name"].(string); !ok {
		doc["name"] = "service-" + id[:8]
	}
	provider, _ := doc["provider"].(string)
	region, _ := doc["region"].(string)
	host := fmt.Sprintf("%s.%s.%s.clickhouse.cloud", strings.ReplaceAll(id, "-", "")[:10], region, provider)
	doc["endpoints"] = []any{
		map[string]any{"protocol": "https", "host": host, "port": 8443, "username": "default"},
		map[string]any{"protocol": "nativesecure", "host": host, "port": 9440, "username": "default"},
	}
	doc["createdAt"] = timestamp(q.now)
	refreshScaling(doc)
	svc := &service{id: id}
	svc.setDoc(doc)
	svc.transition(q.now, "provisioning", "running", s.cfg.provisioningDelay)
	s.st.services.put(id, svc)
	s.st.record(s, q.now, "service_create", id)
	password := "Fake-" + s.ids.Token(18, alphanumeric)
	return q.ok(map[string]any{"service": json.RawMessage(svc.viewJSON()), "password": password})
}

func instanceGet(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	return q.okRaw(svc.viewJSON())
}

func instanceUpdate(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	var req struct {
		IPAccessList *listPatch `json:"ipAccessList"`
		Tags         *listPatch `json:"tags"`
		PrivateIDs   *listPatch `json:"privateEndpointIds"`
	}
	if err := q.decodeBody(&req); err != nil {
		return q.fail(400, "BAD_REQUEST", err.Error())
	}
	doc := svc.doc()
	overlay(doc, q.body, "Service", "state", "id", "ipAccessList", "tags", "privateEndpointIds", "endpoints")
	if req.IPAccessList != nil {
		doc["ipAccessList"] = req.IPAccessList.apply(doc["ipAccessList"], "source")
	}
	if req.Tags != nil {
		doc["tags"] = req.Tags.apply(doc["tags"], "key")
	}
	if req.PrivateIDs != nil {
		doc["privateEndpointIds"] = req.PrivateIDs.apply(doc["privateEndpointIds"], "")
	}
	svc.setDoc(doc)
	q.s.st.record(q.s, q.now, "service_update_name", svc.id)
	return q.ok(svc.view())
}

// refreshScaling makes currentScaling (what is applied now) agree with the configured scaling.
func refreshScaling(doc map[string]any) {
	mode, _ := doc["autoscalingMode"].(string)
	cur := map[string]any{
		"effectiveAutoscalingMode":    mode,
		"effectiveMinReplicaMemoryGb": doc["minReplicaMemoryGb"],
		"effectiveMaxReplicaMemoryGb": doc["maxReplicaMemoryGb"],
		"effectiveIdleScaling":        doc["idleScaling"],
		"effectiveIdleTimeoutMinutes": doc["idleTimeoutMinutes"],
	}
	if mode == "horizontal" {
		cur["effectiveMinReplicas"], cur["effectiveMaxReplicas"] = doc["minReplicas"], doc["maxReplicas"]
	} else {
		cur["effectiveMinReplicas"], cur["effectiveMaxReplicas"] = doc["numReplicas"], doc["numReplicas"]
	}
	for k, v := range cur {
		if v == nil {
			delete(cur, k)
		}
	}
	doc["currentScaling"] = cur
}

// listPatch is the API's {"add": [...], "remove": [...]} list change; remove runs first.
type listPatch struct {
	Add    []any `json:"add"`
	Remove []any `json:"remove"`
}

// apply returns current with Remove then Add applied; elements are matched by the field
// named key (or whole, when key is "").
func (p *listPatch) apply(current any, key string) []any {
	list, _ := current.([]any)
	ident := func(v any) any {
		if m, ok := v.(map[string]any); ok && key != "" {
			return m[key]
		}
		return v
	}
	out := []any{}
	for _, v := range list {
		removed := false
		for _, r := range p.Remove {
			if ident(r) == ident(v) {
				removed = true
			}
		}
		if !removed {
			out = append(out, v)
		}
	}
	for _, a := range p.Add {
		replaced := false
		for i, v := range out {
			if ident(a) == ident(v) {
				out[i], replaced = a, true
			}
		}
		if !replaced {
			out = append(out, a)
		}
	}
	return out
}

func instanceStateUpdate(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	var req struct {
		Command string `json:"command"`
	}
	if err := q.decodeBody(&req); err != nil {
		return q.fail(400, "BAD_REQUEST", err.Error())
	}
	d := q.s.cfg.transitionDelay
	changed := false
	switch req.Command {
	case "stop":
		switch svc.state {
		case "stopping", "stopped", "terminating", "terminated":
		default:
			svc.transition(q.now, "stopping", "stopped", d)
			q.s.st.record(q.s, q.now, "service_stop", svc.id)
			changed = true
		}
	case "start":
		// idle counts as started: start does not wake it, awake does.
		if svc.state == "stopped" || svc.state == "stopping" {
			svc.transition(q.now, "starting", "running", d)
			q.s.st.record(q.s, q.now, "service_start", svc.id)
			changed = true
		}
	case "awake":
		if svc.state == "idle" {
			svc.transition(q.now, "awaking", "running", d)
			q.s.st.record(q.s, q.now, "service_awaken", svc.id)
			changed = true
		} else if q.s.quirk(QuirkPlainTextAwake) {
			return plainText(http.StatusBadRequest, "Service must be in idle state to awake")
		}
	default:
		return q.fail(400, "BAD_REQUEST", "request body.command: must be one of start, stop, awake")
	}
	if !changed && q.s.quirk(QuirkEmptyStateAnswer) && alreadyThere(req.Command, svc.state) {
		return emptyObject()
	}
	return q.ok(svc.view())
}

// alreadyThere reports whether a state command asks for what the service is already in or on its
// way to, the case QuirkEmptyStateAnswer answers {}. An idle service is not: "start" on it is the
// ignored command whose answer (state idle) tells the caller to use "awake".
func alreadyThere(command, state string) bool {
	switch command {
	case "start":
		return state == "running" || state == "starting" || state == "awaking"
	case "stop":
		return state == "stopped" || state == "stopping"
	}
	return false
}

func instanceDelete(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	if svc.state == "terminating" {
		return q.done()
	}
	conflict := q.s.quirk(QuirkDeleteConflict)
	if svc.state != "stopped" {
		msg := fmt.Sprintf("Service %s must be stopped before it can be deleted. Current state: %s", svc.id, svc.state)
		if !conflict {
			return q.fail(http.StatusBadRequest, "BAD_REQUEST", msg)
		}
		return q.fail(http.StatusConflict, "CONFLICT", msg)
	}
	if conflict && q.now.Before(svc.stoppedAt.Add(q.s.cfg.deleteCooldown)) {
		return q.fail(http.StatusConflict, "CONFLICT", fmt.Sprintf("Service %s is still being stopped, try again later", svc.id))
	}
	svc.transition(q.now, "terminating", "terminated", q.s.cfg.transitionDelay)
	q.s.st.record(q.s, q.now, "service_delete", svc.id)
	return q.done()
}

func instanceScalingUpdate(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	doc := svc.doc()
	overlay(doc, q.body, "Service", "state", "id")
	refreshScaling(doc)
	svc.setDoc(doc)
	q.s.st.record(q.s, q.now, "service_update_autoscaling_memory", svc.id)
	return q.ok(svc.view())
}

func instanceReplicaScalingUpdate(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	doc := svc.doc()
	overlay(doc, q.body, "Service", "state", "id")
	refreshScaling(doc)
	svc.setDoc(doc)
	q.s.st.record(q.s, q.now, "service_update_autoscaling_replicas", svc.id)
	result := svc.view()
	ref := schemaRef("ServiceScalingPatchResponse")
	for k := range result {
		if ref != nil && ref.Value != nil && ref.Value.Properties[k] == nil {
			delete(result, k)
		}
	}
	return q.ok(result)
}

func instancePasswordUpdate(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	q.s.st.record(q.s, q.now, "service_update_password", svc.id)
	if _, hashed := jsonField(q.body, "newPasswordHash"); hashed {
		return q.ok(map[string]any{})
	}
	return q.ok(map[string]any{"password": "Fake-" + q.s.ids.Token(18, alphanumeric)})
}

func instancePrivateEndpointConfigGet(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	doc := svc.doc()
	provider, _ := doc["provider"].(string)
	region, _ := doc["region"].(string)
	return q.ok(map[string]any{
		"endpointServiceId":  fmt.Sprintf("com.amazonaws.vpce.%s.vpce-svc-%s", region, strings.ReplaceAll(svc.id[:17], "-", "")),
		"privateDnsHostname": fmt.Sprintf("%s.%s.vpce.%s.clickhouse.cloud", svc.id[:10], region, provider),
	})
}

func backupGetList(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	q.ensureBackups(svc)
	return q.ok(svc.backups.all())
}

func backupGet(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	q.ensureBackups(svc)
	b, ok := svc.backups.get(q.params["backupId"])
	if !ok {
		if q.s.quirk(QuirkUnknownIDBadRequest) {
			return q.fail(http.StatusBadRequest, "BAD_REQUEST", "Invalid backup id")
		}
		return q.fail(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Backup with id %s not found", q.params["backupId"]))
	}
	return q.ok(b)
}

// ensureBackups gives a running service the backups the real API would have taken by now:
// one a backup period after it started running, then one per period (at most 5 are kept).
func (q *request) ensureBackups(svc *service) {
	if svc.runningSince.IsZero() {
		return
	}
	period := 24 * time.Hour
	if h, ok := svc.backupConfiguration()["backupPeriodInHours"].(float64); ok && h > 0 {
		period = time.Duration(h * float64(time.Hour))
	}
	if svc.backups.len() == 0 {
		// A first full backup right after provisioning, as the real service takes.
		q.addBackup(svc, svc.runningSince, "full")
	}
	for {
		last, _ := svc.backups.get(svc.backups.ids[svc.backups.len()-1])
		started, _ := time.Parse(time.RFC3339, last["startedAt"].(string))
		next := started.Add(period)
		if q.now.Before(next) {
			return
		}
		q.addBackup(svc, next, "incremental")
		if svc.backups.len() > 5 {
			svc.backups.del(svc.backups.ids[0])
		}
	}
}

func (q *request) addBackup(svc *service, at time.Time, kind string) {
	id := q.s.ids.UUID()
	b := q.s.synthObject("Backup", at)
	b["id"] = id
	b["serviceId"] = svc.id
	b["status"] = "done"
	b["type"] = kind
	b["startedAt"] = timestamp(at)
	b["finishedAt"] = timestamp(at.Add(3 * time.Minute))
	b["durationInSeconds"] = 180.0
	b["backupName"] = "backup-" + id[:8]
	svc.backups.put(id, b)
}

func backupConfigurationGet(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	return q.ok(svc.backupConfiguration())
}

func backupConfigurationUpdate(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	overlay(svc.backupConfiguration(), q.body, "BackupConfiguration")
	q.s.st.record(q.s, q.now, "service_update_backup_configuration", svc.id)
	return q.ok(svc.backupConfig)
}

// SetServiceState forces a service into a state, for tests of how clients handle states the
// fake does not reach by itself (failed, degraded, partially_running...). Pending transitions are
// cancelled. It returns an error if the service does not exist or the state is not one of the
// document's service states.
func (s *Server) SetServiceState(serviceID, state string) error {
	if !slices.Contains(serviceStates, state) {
		return fmt.Errorf("cloudtest: %q is not a service state (want one of %s)", state, strings.Join(serviceStates, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	svc, ok := s.st.services.get(serviceID)
	if !ok || svc.gone {
		return fmt.Errorf("cloudtest: no service %s", serviceID)
	}
	now := s.now()
	svc.state, svc.next = state, ""
	switch state {
	case "running":
		svc.runningSince = now
	case "stopped":
		svc.stoppedAt = now
	case "terminated":
		svc.gone = true
	}
	return nil
}

// serviceStates are the states the document lists for a service.
var serviceStates = []string{"starting", "stopping", "terminating", "softdeleting", "awaking", "partially_running",
	"provisioning", "running", "stopped", "terminated", "softdeleted", "degraded", "failed", "idle"}
