package conformance

import (
	"net/url"
	"strings"
	"sync"
	"time"
)

// Scenario is everything the suite needs to call one operation: how its path parameters are
// found, what must exist first, its body and query, and what its answer leaves to clean up.
// Every field is optional; an empty Scenario calls the operation with path parameters from
// Session.resolve (fixtures, then items found or created by the run), no body and no query.
// Every operation of the document has one, even an empty one, so that a new operation fails the
// suite until someone decides how to call it (TestEveryOperationHasAScenario).
type Scenario struct {
	// Skip, when set, is why the operation is never called. At most 5% of operations may be
	// skipped, and every skip appears in the report.
	Skip string
	// Params fills c.Params (and any value of c it finds on the way) instead of Session.resolve.
	Params func(s *Session, c *Call) error
	// Before runs once the path parameters are known: it makes or finds what the body needs and
	// leaves it in c. It also runs when the operation creates an item for another's scenario.
	Before func(s *Session, c *Call) error
	// Body is the smallest valid request body (nil: none). Per docs/api-behaviour.md it sends
	// only what a caller sets; required lists in the document are partial.
	Body func(s *Session, c *Call) any
	// Query is the query string (nil: none). Recorded requests are matched by their query, so
	// it must not depend on the run.
	Query func(s *Session, c *Call) url.Values
	// After runs once the operation under test answered, instead of the default: deleting, after
	// the spec, the item of resources that this operation creates (Session.adopt).
	After func(s *Session, req Request, x *Exchange) error
}

// Call is one request being built: its path parameters and the values Params or Before found
// for its body. Values the negative scenarios cannot find get placeholders (placeholderBody).
type Call struct {
	Params map[string]string
	// Name is the organization's current name (organizationUpdate renames it to itself).
	Name string
	// Role is the member's current role (memberUpdate sets it again).
	Role string
	// UploadID is an open upload session for a UDF artifact.
	UploadID string
	// SourceID is a ClickStack source the run created, which saved searches point at.
	SourceID string
}

// MaxSkipShare is the share of operations that may be skipped.
const MaxSkipShare = 0.05

// SkipReason returns why the operation is never called, or "" when it is.
func SkipReason(id string) string { return scenarios()[id].Skip }

// HasScenario reports whether the operation is accounted for (a scenario or a skip).
func HasScenario(id string) bool {
	_, ok := scenarios()[id]
	return ok
}

// ScenarioIDs returns the operationIds with a scenario entry (for coverage tests).
func ScenarioIDs() []string {
	ids := make([]string, 0, len(scenarios()))
	for id := range scenarios() {
		ids = append(ids, id)
	}
	return ids
}

// body returns the body of operation id's scenario for c, or nil when it takes none.
func body(s *Session, id string, c *Call) any {
	if b := scenarios()[id].Body; b != nil {
		return b(s, c)
	}
	return nil
}

// singleton describes a sub-resource of the service that exists or not (a schedule, a window).
type singleton struct{ set, del string }

// ensure makes sure the singleton exists for the call (set, then delete afterwards).
func (g singleton) ensure(s *Session, c *Call) error {
	c.Params = s.params()
	if _, err := s.Must(g.set, Request{Params: c.Params, Body: body(s, g.set, c)}); err != nil {
		return err
	}
	s.cleanup(g.del, c.Params, g.del+c.Params["serviceId"])
	return nil
}

// afterSet registers the deletion of a singleton the operation under test created.
func (g singleton) afterSet(s *Session, req Request, x *Exchange) error {
	if x.OK() {
		s.cleanup(g.del, req.Params, g.del+req.Params["serviceId"])
	}
	return nil
}

// existsFirst makes the singleton exist before the operation under test (a GET or DELETE) only
// when the run may change things; a read-only run reads whatever is there.
func (g singleton) existsFirst(s *Session, c *Call) error {
	if !s.Config.RunsMutating() {
		c.Params = s.params()
		return nil
	}
	return g.ensure(s, c)
}

var (
	scalingSchedule = singleton{set: "scalingScheduleUpsert", del: "scalingScheduleDelete"}
	upgradeWindow   = singleton{set: "upgradeWindowUpdate", del: "upgradeWindowDelete"}
	backupBucket    = singleton{set: "backupBucketCreate", del: "backupBucketDelete"}
	queryEndpoint   = singleton{set: "instanceQueryEndpointUpsert", del: "instanceQueryEndpointDelete"}
)

// deleteSingleton marks a singleton deleted by the operation under test, so its cleanup is skipped.
func deleteSingleton(s *Session, req Request, x *Exchange) error {
	if x.OK() {
		s.deleted[x.Op.ID+req.Params["serviceId"]] = true
	}
	return nil
}

func dates(from, to string) func(*Session, *Call) url.Values {
	return func(*Session, *Call) url.Values { return url.Values{"from_date": {from}, "to_date": {to}} }
}

// query is a fixed query string.
func query(v url.Values) func(*Session, *Call) url.Values {
	return func(*Session, *Call) url.Values { return v }
}

// The fixed dates keep recorded requests identical between runs.
var (
	usageDates   = dates("2026-01-01", "2026-01-31")
	metricsDates = dates("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")
)

// scenarios returns the scenarios by operationId. The table is built on first use, not at init,
// because every chcloud command links this package (for `chcloud spec check-response`) and most
// never run a scenario. (A function, not a sync.OnceValue variable: scenarios create items, which
// reads scenarios, and a variable's initializer may not refer to itself.)
func scenarios() map[string]Scenario {
	scenariosOnce.Do(func() { scenarioByID = scenarioTable() })
	return scenarioByID
}

var (
	scenariosOnce sync.Once
	scenarioByID  map[string]Scenario
)

func scenarioTable() map[string]Scenario {
	return map[string]Scenario{
		// Organization
		"organizationGetList": {},
		"organizationGet":     {},
		// Renames the organization to its current name: a write that changes nothing.
		"organizationUpdate":                 {Before: currentOrgName, Body: func(_ *Session, c *Call) any { return map[string]any{"name": c.Name} }},
		"organizationPrometheusGet":          {},
		"organizationPrometheusDiscoveryGet": {},
		"organizationQuotasGetList":          {},
		"organizationQuotaGet":               {},
		"organizationPrivateEndpointConfigGetList": {
			Query: query(url.Values{"cloud_provider": {"aws"}, "region_id": {"us-east-1"}})},
		"organizationByocInfrastructureCreate": {Body: named("displayName", "byoc", map[string]any{"regionId": "us-east-1",
			"accountId": "123456789012", "availabilityZoneSuffixes": []string{"a", "b", "c"}, "vpcCidrRange": "10.0.0.0/16"})},
		"organizationByocInfrastructureUpdate": {Body: named("displayName", "byoc2", nil)},
		"organizationByocInfrastructureDelete": {},
		"activityGetList":                      {},
		"activityGet":                          {},
		"usageCostGet":                         {Query: usageDates},
		"activeBalancesGet":                    {},
		"creditBalancesGet":                    {},

		// Roles, keys, members, invitations
		"organizationRolesGetList": {},
		"organizationRolePost": {Body: named("name", "role", map[string]any{"actors": []string{},
			"policies": []any{map[string]any{"allowDeny": "ALLOW", "permissions": []string{"control-plane:service:view"}, "resources": []string{"instance/*"}}}})},
		"organizationRoleGet":    {},
		"organizationRolePatch":  {Body: named("name", "role2", nil)},
		"organizationRoleDelete": {},
		"openapiKeyGetList":      {},
		"openapiKeyCreate":       {Body: named("name", "key", map[string]any{"roles": []string{"developer"}})},
		"openapiKeyGet":          {},
		"openapiKeyUpdate":       {Body: named("name", "key2", nil)},
		"openapiKeyDelete":       {},
		"memberGetList":          {},
		"memberGet":              {},
		// Sets the member's role to the role it has.
		"memberUpdate":      {Params: findMember, Body: func(_ *Session, c *Call) any { return map[string]any{"role": c.Role} }},
		"memberDelete":      {Params: disposableMember},
		"invitationGetList": {},
		"invitationCreate": {Body: func(s *Session, _ *Call) any {
			return map[string]any{"email": s.Config.Name("inv") + "@example.com", "role": "developer"}
		}},
		"invitationGet":    {},
		"invitationDelete": {},

		// Services
		"serviceProfilesList":              {Query: query(url.Values{"region_id": {"us-east-1"}})},
		"instanceGetList":                  {},
		"instanceCreate":                   {Body: func(s *Session, _ *Call) any { return serviceBody(s.Config.Name("new")) }, After: afterInstanceCreate},
		"instanceGet":                      {},
		"instanceUpdate":                   {Body: named("name", "svc", nil)},
		"instanceDelete":                   {Params: stoppedService},
		"instancePrivateEndpointConfigGet": {},
		"instanceQueryEndpointGet":         {Params: queryEndpoint.existsFirst},
		"instanceQueryEndpointUpsert": {After: queryEndpoint.afterSet,
			Body: static(map[string]any{"roles": []string{"sql_console_read_only"}, "openApiKeys": []string{}, "allowedOrigins": ""})},
		"instanceQueryEndpointDelete": {Params: queryEndpoint.ensure, After: deleteSingleton},
		// "start" on a running service: changes nothing.
		"instanceStateUpdate":           {Body: static(map[string]any{"command": "start"})},
		"instanceScalingUpdate":         {Body: static(map[string]any{"idleScaling": true, "idleTimeoutMinutes": 15})},
		"instanceReplicaScalingUpdate":  {Body: static(map[string]any{"minReplicaMemoryGb": 8, "maxReplicaMemoryGb": 16})},
		"instancePasswordUpdate":        {Body: static(map[string]any{})},
		"instancePrivateEndpointCreate": {Body: named("description", "pe", map[string]any{"id": "vpce-0123456789abcdef0"})},
		"instancePrometheusGet":         {},
		"scalingScheduleGet":            {Params: scalingSchedule.existsFirst},
		"scalingScheduleUpsert": {After: scalingSchedule.afterSet, Body: func(s *Session, _ *Call) any {
			return map[string]any{"entries": []any{map[string]any{"name": s.Config.Name("night"), "weekdays": []int{1, 2, 3, 4, 5}, "startHourUtc": 1, "endHourUtc": 5}}}
		}},
		"scalingScheduleDelete":              {Params: scalingSchedule.ensure, After: deleteSingleton},
		"upgradeWindowGet":                   {Params: upgradeWindow.existsFirst},
		"upgradeWindowUpdate":                {After: upgradeWindow.afterSet, Body: static(map[string]any{"weekday": 3, "startHourUtc": 12})},
		"upgradeWindowDelete":                {Params: upgradeWindow.ensure, After: deleteSingleton},
		"serviceClickhouseSettingsListGet":   {},
		"serviceClickhouseSettingsUpdate":    {Body: static(map[string]any{"settings": `{"max_threads":"4"}`})},
		"serviceClickhouseSettingsSchemaGet": {},
		"serviceClickhouseSettingGet":        {},
		"serviceClickhouseSettingDelete":     {Params: ownSetting},

		// Backups
		"backupGetList":             {},
		"backupGet":                 {},
		"backupConfigurationGet":    {},
		"backupConfigurationUpdate": {Body: static(map[string]any{"backupPeriodInHours": 24})},
		"backupBucketGet":           {Params: backupBucket.existsFirst},
		"backupBucketCreate": {After: backupBucket.afterSet, Body: static(map[string]any{"bucketProvider": "AWS",
			"bucketPath": "s3://chcconf-backups/path", "iamRoleArn": "arn:aws:iam::123456789012:role/chcconf-backups"})},
		"backupBucketUpdate": {Params: backupBucket.ensure,
			Body: static(map[string]any{"bucketProvider": "AWS", "bucketPath": "s3://chcconf-backups/path2"})},
		"backupBucketDelete": {Params: backupBucket.ensure, After: deleteSingleton},

		// ClickPipes
		"clickPipeGetList":                       {},
		"clickPipeCreate":                        {Body: named("name", "pipe", nil)},
		"clickPipesServiceContextGet":            {},
		"clickPipeGet":                           {},
		"clickPipeUpdate":                        {Body: named("name", "pipe2", nil)},
		"clickPipeDelete":                        {},
		"clickPipeSettingsGet":                   {},
		"clickPipeSettingsUpdate":                {Body: static(map[string]any{"streaming_max_insert_wait_ms": 5000})},
		"clickPipeSchemaDiscovery":               {Body: static(map[string]any{"source": map[string]any{}})},
		"clickPipeScalingUpdate":                 {Body: static(map[string]any{"replicas": 2})},
		"clickPipeStateUpdate":                   {Body: static(map[string]any{"command": "stop"})},
		"clickPipeCdcScalingGet":                 {},
		"clickPipeCdcScalingUpdate":              {Body: static(map[string]any{"replicaCpuMillicores": 2000, "replicaMemoryGb": 8})},
		"clickPipeReversePrivateEndpointGetList": {},
		"clickPipeReversePrivateEndpointCreate": {Body: named("description", "rpe", map[string]any{"type": "VPC_ENDPOINT_SERVICE",
			"vpcEndpointServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-12345678901234567"})},
		"clickPipeReversePrivateEndpointGet":    {},
		"clickPipeReversePrivateEndpointUpdate": {Body: static(map[string]any{"customPrivateDnsMappings": []any{}})},
		"clickPipeReversePrivateEndpointDelete": {},

		// ClickStack
		"clickStackListDashboards":    {},
		"clickStackCreateDashboard":   {Body: named("name", "dash", map[string]any{"tiles": []any{}})},
		"clickStackGetDashboard":      {},
		"clickStackUpdateDashboard":   {Body: named("name", "dash2", map[string]any{"tiles": []any{}})},
		"clickStackDeleteDashboard":   {},
		"clickStackValidateDashboard": {Body: named("name", "dash3", map[string]any{"tiles": []any{}})},
		"clickStackListAlerts":        {},
		"clickStackCreateAlert":       {Body: static(alertBody)},
		"clickStackGetAlert":          {},
		"clickStackUpdateAlert":       {Body: static(alertBody)},
		"clickStackDeleteAlert":       {},
		"clickStackListSources":       {},
		"clickStackCreateSource":      {Body: named("name", "src", sourceBody)},
		"clickStackGetSource":         {},
		"clickStackUpdateSource":      {Body: named("name", "src2", sourceBody)},
		"clickStackDeleteSource":      {},
		"clickStackListWebhooks":      {},
		"clickStackCreateWebhook":     {Body: named("name", "hook", map[string]any{"service": "generic", "url": "https://example.com/chcconf-hook"})},
		"clickStackUpdateWebhook":     {Body: named("name", "hook2", map[string]any{"service": "generic", "url": "https://example.com/chcconf-hook"})},
		"clickStackDeleteWebhook":     {},
		"clickStackListRoles":         {},
		"clickStackCreateRole":        {Body: named("name", "csrole", map[string]any{"permissions": []any{map[string]any{"action": "read", "subject": "dashboard"}}})},
		"clickStackGetRole":           {},
		"clickStackUpdateRole":        {Body: static(map[string]any{"permissions": []any{map[string]any{"action": "read", "subject": "dashboard"}}})},
		"clickStackDeleteRole":        {},
		"clickStackListSavedSearches": {},
		"clickStackCreateSavedSearch": {Before: clickStackSource, Body: savedSearch("search")},
		"clickStackGetSavedSearch":    {},
		"clickStackUpdateSavedSearch": {Before: clickStackSource, Body: savedSearch("search2")},
		"clickStackDeleteSavedSearch": {},

		// Postgres
		"postgresServiceCreate":    {Body: named("name", "pg", map[string]any{"provider": "aws", "region": "us-east-1", "size": "c6gd.large"})},
		"postgresServiceGetList":   {},
		"postgresOrgPrometheusGet": {},
		"postgresServiceGet":       {},
		"postgresServiceDelete":    {},
		"postgresServicePatch":     {Body: named("name", "pg2", nil)},
		"postgresServiceCertsGet":  {},
		"postgresInstanceRestore": {After: afterPostgresCopy,
			Body: named("name", "pgrestore", map[string]any{"restoreTarget": fixedTime.Format(time.RFC3339)})},
		"postgresServiceSetPassword":        {Body: func(*Session, *Call) any { return map[string]any{"password": "Pw1" + randomID(20)} }},
		"postgresServicePatchState":         {Body: static(map[string]any{"command": "restart"})},
		"postgresInstanceCreateReadReplica": {After: afterPostgresCopy, Body: named("name", "pgreplica", nil)},
		"postgresInstanceConfigGet":         {},
		"postgresInstanceConfigPost":        {Body: static(pgConfigBody)},
		"postgresInstanceConfigPatch":       {Body: static(pgConfigBody)},
		"postgresInstancePrometheusGet":     {},
		"postgresInstanceMetricsGet":        {Query: metricsDates},
		"slowQueryPatternsGetList":          {Query: metricsDates},
		"slowQueryPatternGet": {
			Query: query(url.Values{"db_name": {"postgres"}, "db_user": {"postgres"}, "db_operation": {"SELECT"}})},
		"postgresLogsGetList": {Query: metricsDates},

		// UDFs
		"udfUploadSessionCreate": {},
		"udfCreate": {Before: uploadSession, Body: func(s *Session, c *Call) any {
			return map[string]any{"uploadId": c.UploadID, "runtime": "python3.11", "type": "executable", "returnType": "String",
				"arguments": []any{map[string]any{"name": "x", "type": "String"}}, "functionName": s.Config.Name("fn")}
		}},
		"udfList":   {},
		"udfGet":    {},
		"udfDelete": {},
		"udfVersionCreate": {Before: uploadSession, Body: func(_ *Session, c *Call) any {
			return map[string]any{"uploadId": c.UploadID, "runtime": "python3.11", "type": "executable", "returnType": "String",
				"arguments": []any{map[string]any{"name": "x", "type": "String"}}}
		}},
		"udfVersionList":    {},
		"udfVersionDelete":  {},
		"udfAttach":         {Body: static(map[string]any{}), After: afterAttach},
		"udfAttachmentGet":  {Params: attached("udfAttachmentGet")},
		"udfAttachmentList": {Params: attached("udfAttachmentList")},
		"udfDetach":         {Params: attached("udfDetach")},
	}
}

// currentOrgName finds the organization's name, for organizationUpdate to set it again.
func currentOrgName(s *Session, c *Call) error {
	x, err := s.Must("organizationGet", Request{Params: c.Params})
	if err != nil {
		return err
	}
	c.Name = field(mustResult(x), "name")
	return nil
}

// findMember finds the first member and its role: memberUpdate then sets the role it already has.
func findMember(s *Session, c *Call) error {
	c.Params = s.params()
	id, err := s.findItem("userId", resources["userId"], c)
	if err != nil {
		return err
	}
	x, err := s.Must("memberGet", Request{Params: s.params("userId", id)})
	if err != nil {
		return err
	}
	var m struct {
		Role string `json:"role"`
	}
	if err := x.Result(&m); err != nil {
		return err
	}
	c.Params["userId"], c.Role = id, m.Role
	return nil
}

// disposableMember finds the member named by EnvDisposableMember for memberDelete to remove.
// Members join only by accepting an emailed invitation, so the run cannot create one, and it
// must never pick a person on its own.
func disposableMember(s *Session, c *Call) error {
	email := s.Config.DisposableMember
	if email == "" {
		return skipf("members join only by accepting an emailed invitation, so the run cannot create one to "+
			"delete: set %s to the email of a member the run may remove", EnvDisposableMember)
	}
	c.Params = s.params()
	x, err := s.Must("memberGetList", Request{Params: c.Params})
	if err != nil {
		return err
	}
	var members []struct {
		UserID string `json:"userId"`
		Email  string `json:"email"`
	}
	if err := x.Result(&members); err != nil {
		return err
	}
	for _, m := range members {
		if strings.EqualFold(m.Email, email) && m.UserID != "" {
			c.Params["userId"] = m.UserID
			return nil
		}
	}
	return skipf("no member with the email %s (%s) in this organization", email, EnvDisposableMember)
}

// stoppedService creates a service and stops it, for instanceDelete to delete.
func stoppedService(s *Session, c *Call) error {
	id, err := s.createService("del")
	if err != nil {
		return err
	}
	if err := s.stopService(id); err != nil {
		return err
	}
	c.Params = s.params("serviceId", id)
	return nil
}

// afterInstanceCreate deletes the created service after the spec.
func afterInstanceCreate(s *Session, _ Request, x *Exchange) error {
	if !x.OK() {
		return nil
	}
	var created struct {
		Service struct {
			ID string `json:"id"`
		} `json:"service"`
	}
	if err := x.Result(&created); err != nil || created.Service.ID == "" {
		return err
	}
	s.deferServiceDeletion(created.Service.ID)
	return nil
}

// afterPostgresCopy deletes a Postgres service made by restore or read replica.
func afterPostgresCopy(s *Session, _ Request, x *Exchange) error {
	if !x.OK() {
		return nil
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := x.Result(&created); err != nil || created.ID == "" {
		return err
	}
	s.cleanup("postgresServiceDelete", s.params("postgresId", created.ID), created.ID)
	return nil
}

// ownSetting sets a ClickHouse setting so that serviceClickhouseSettingDelete has one to reset.
func ownSetting(s *Session, c *Call) error {
	c.Params = s.params()
	const set = "serviceClickhouseSettingsUpdate"
	if _, err := s.Must(set, Request{Params: c.Params, Body: body(s, set, c)}); err != nil {
		return err
	}
	c.Params["settingName"] = "max_threads"
	return nil
}

// attached attaches the run's function to the run's service before the call; a read-only run
// reads the attachments that exist.
func attached(id string) func(s *Session, c *Call) error {
	return func(s *Session, c *Call) error {
		if !s.Config.RunsMutating() {
			return s.resolve(op(id), c)
		}
		return attach(s, c)
	}
}

func attach(s *Session, c *Call) error {
	const id = "udfAttach"
	if err := s.resolve(op(id), c); err != nil {
		return err
	}
	x, err := s.Must(id, Request{Params: c.Params, Body: body(s, id, c)})
	if err != nil {
		return err
	}
	return afterAttach(s, Request{Params: c.Params}, x)
}

func afterAttach(s *Session, req Request, x *Exchange) error {
	if x.OK() {
		s.cleanup("udfDetach", req.Params, "udfDetach"+req.Params["serviceId"])
	}
	return nil
}

func mustResult(x *Exchange) any {
	var v any
	_ = x.Result(&v)
	return v
}

// uploadSession opens an upload session for a UDF artifact. The artifact itself would go to
// the presigned URL, which is outside the management API and never recorded.
func uploadSession(s *Session, c *Call) error {
	x, err := s.Must("udfUploadSessionCreate", Request{Params: c.Params})
	if err != nil {
		return err
	}
	c.UploadID = field(mustResult(x), "uploadId")
	return nil
}

// clickStackSource creates the source a saved search points at, once per call: updating a
// saved search first creates one (with its source), and reuses that source.
func clickStackSource(s *Session, c *Call) error {
	if c.SourceID != "" {
		return nil
	}
	id, err := s.createItem("clickStackSourceId", resources["clickStackSourceId"], c)
	c.SourceID = id
	return err
}

func savedSearch(suffix string) func(*Session, *Call) any {
	return func(s *Session, c *Call) any {
		return map[string]any{"name": s.Config.Name(suffix), "sourceId": c.SourceID}
	}
}

// serviceBody is the smallest service creation the API accepts.
func serviceBody(name string) map[string]any {
	return map[string]any{"name": name, "provider": "aws", "region": "us-east-1"}
}

var fixedTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// static is a body that does not depend on the run.
func static(v any) func(*Session, *Call) any { return func(*Session, *Call) any { return v } }

// named is a body with the run's name in field (and more fields).
func named(field, suffix string, more map[string]any) func(*Session, *Call) any {
	return func(s *Session, _ *Call) any {
		m := map[string]any{field: s.Config.Name(suffix)}
		for k, v := range more {
			m[k] = v
		}
		return m
	}
}

var alertBody = map[string]any{
	"source": "tile", "threshold": 100, "interval": "5m", "thresholdType": "above",
	"dashboardId": "65f5e4a3b9e77c001a567890", "tileId": "65f5e4a3b9e77c001a901234",
	"channel": map[string]any{"type": "email", "emailRecipients": []string{"chcconf@example.com"}},
}

var sourceBody = map[string]any{
	"kind": "log", "connection": "507f1f77bcf86cd799439012",
	"from":                         map[string]any{"databaseName": "otel", "tableName": "otel_logs"},
	"defaultTableSelectExpression": "Timestamp, Body", "timestampValueExpression": "Timestamp",
}

var pgConfigBody = map[string]any{
	"pgConfig":        map[string]any{"max_connections": 100},
	"pgBouncerConfig": map[string]any{"default_pool_size": "16"},
}
