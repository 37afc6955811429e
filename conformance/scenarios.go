package conformance

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"
)

// scenario says how to call one operation beyond the defaults: path parameters come from
// Session.resolve (fixtures, then items found or created by the run), the body from bodies, and
// creations are cleaned up through the resources table. Every operation of the document has an
// entry, even an empty one, so that a new operation fails the suite until someone decides how to
// call it (TestEveryOperationHasAScenario).
type scenario struct {
	// skip, when set, is why the operation is never called. At most 5% of operations may be
	// skipped, and every skip appears in the report.
	skip   string
	params func(s *Session) (map[string]string, error)
	query  func(s *Session, p map[string]string) url.Values
	after  func(s *Session, req Request, x *Exchange) error
}

// MaxSkipShare is the share of operations that may be skipped.
const MaxSkipShare = 0.05

// SkipReason returns why the operation is never called, or "" when it is.
func SkipReason(id string) string { return scenarios[id].skip }

// HasScenario reports whether the operation is accounted for (a scenario or a skip).
func HasScenario(id string) bool {
	_, ok := scenarios[id]
	return ok
}

// ScenarioIDs returns the operationIds with a scenario entry (for coverage tests).
func ScenarioIDs() []string {
	ids := make([]string, 0, len(scenarios))
	for id := range scenarios {
		ids = append(ids, id)
	}
	return ids
}

// singleton describes a sub-resource of the service that exists or not (a schedule, a window).
type singleton struct{ set, del string }

// withSingleton makes sure the singleton exists for the call (set, then delete afterwards).
func (g singleton) ensure(s *Session) (map[string]string, error) {
	p := s.params()
	if _, err := s.Must(g.set, Request{Params: p, Body: bodies[g.set](s, p)}); err != nil {
		return nil, err
	}
	s.Defer(g.del, func(ctx context.Context) error { return s.with(ctx).ignore404(g.del, p) })
	return p, nil
}

// afterSet registers the deletion of a singleton the operation under test created.
func (g singleton) afterSet(s *Session, req Request, x *Exchange) error {
	if x.OK() {
		s.Defer(g.del, func(ctx context.Context) error { return s.with(ctx).ignore404(g.del, req.Params) })
	}
	return nil
}

// existsFirst makes the singleton exist before the operation under test (a GET or DELETE) only
// when the run may change things; a read-only run reads whatever is there.
func (g singleton) existsFirst(s *Session) (map[string]string, error) {
	if !s.Config.RunsMutating() {
		return s.params(), nil
	}
	return g.ensure(s)
}

func (s *Session) ignore404(id string, p map[string]string) error {
	if s.deleted[id+p["serviceId"]] {
		return nil
	}
	x, err := s.Call(id, Request{Params: p})
	if err != nil {
		return err
	}
	if !x.OK() && x.Status != 404 {
		return errors.New(x.Error())
	}
	return nil
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

func dates(from, to string) func(*Session, map[string]string) url.Values {
	return func(*Session, map[string]string) url.Values { return url.Values{"from_date": {from}, "to_date": {to}} }
}

// The fixed dates keep recorded requests identical between runs.
var (
	usageDates   = dates("2026-01-01", "2026-01-31")
	metricsDates = dates("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")
)

// scenarios, by operationId. An empty entry means the defaults are the scenario. (Set in init:
// scenarios find items, which reads scenarios.)
var scenarios map[string]scenario

func init() { scenarios = scenarioTable() }

func scenarioTable() map[string]scenario {
	return map[string]scenario{
		// Organization
		"organizationGetList":                {},
		"organizationGet":                    {},
		"organizationUpdate":                 {}, // renames the organization to its current name: a write that changes nothing
		"organizationPrometheusGet":          {},
		"organizationPrometheusDiscoveryGet": {},
		"organizationQuotasGetList":          {},
		"organizationQuotaGet":               {},
		"organizationPrivateEndpointConfigGetList": {query: func(*Session, map[string]string) url.Values {
			return url.Values{"cloud_provider": {"aws"}, "region_id": {"us-east-1"}}
		}},
		"organizationByocInfrastructureCreate": {},
		"organizationByocInfrastructureUpdate": {},
		"organizationByocInfrastructureDelete": {},
		"activityGetList":                      {},
		"activityGet":                          {},
		"usageCostGet":                         {query: usageDates},
		"activeBalancesGet":                    {},
		"creditBalancesGet":                    {},

		// Roles, keys, members, invitations
		"organizationRolesGetList": {},
		"organizationRolePost":     {},
		"organizationRoleGet":      {},
		"organizationRolePatch":    {},
		"organizationRoleDelete":   {},
		"openapiKeyGetList":        {},
		"openapiKeyCreate":         {},
		"openapiKeyGet":            {},
		"openapiKeyUpdate":         {},
		"openapiKeyDelete":         {},
		"memberGetList":            {},
		"memberGet":                {},
		"memberUpdate":             {params: findMember}, // sets the member's role to the role it has
		"memberDelete":             {params: disposableMember},
		"invitationGetList":        {},
		"invitationCreate":         {},
		"invitationGet":            {},
		"invitationDelete":         {},

		// Services
		"serviceProfilesList":                {query: func(*Session, map[string]string) url.Values { return url.Values{"region_id": {"us-east-1"}} }},
		"instanceGetList":                    {},
		"instanceCreate":                     {after: afterInstanceCreate},
		"instanceGet":                        {},
		"instanceUpdate":                     {},
		"instanceDelete":                     {params: stoppedService},
		"instancePrivateEndpointConfigGet":   {},
		"instanceQueryEndpointGet":           {params: queryEndpoint.existsFirst},
		"instanceQueryEndpointUpsert":        {after: queryEndpoint.afterSet},
		"instanceQueryEndpointDelete":        {params: queryEndpoint.ensure, after: deleteSingleton},
		"instanceStateUpdate":                {}, // "start" on a running service: changes nothing
		"instanceScalingUpdate":              {},
		"instanceReplicaScalingUpdate":       {},
		"instancePasswordUpdate":             {},
		"instancePrivateEndpointCreate":      {},
		"instancePrometheusGet":              {},
		"scalingScheduleGet":                 {params: scalingSchedule.existsFirst},
		"scalingScheduleUpsert":              {after: scalingSchedule.afterSet},
		"scalingScheduleDelete":              {params: scalingSchedule.ensure, after: deleteSingleton},
		"upgradeWindowGet":                   {params: upgradeWindow.existsFirst},
		"upgradeWindowUpdate":                {after: upgradeWindow.afterSet},
		"upgradeWindowDelete":                {params: upgradeWindow.ensure, after: deleteSingleton},
		"serviceClickhouseSettingsListGet":   {},
		"serviceClickhouseSettingsUpdate":    {},
		"serviceClickhouseSettingsSchemaGet": {},
		"serviceClickhouseSettingGet":        {},
		"serviceClickhouseSettingDelete":     {params: ownSetting},

		// Backups
		"backupGetList":             {},
		"backupGet":                 {},
		"backupConfigurationGet":    {},
		"backupConfigurationUpdate": {},
		"backupBucketGet":           {params: backupBucket.existsFirst},
		"backupBucketCreate":        {after: backupBucket.afterSet},
		"backupBucketUpdate":        {params: backupBucket.ensure},
		"backupBucketDelete":        {params: backupBucket.ensure, after: deleteSingleton},

		// ClickPipes
		"clickPipeGetList":                       {},
		"clickPipeCreate":                        {},
		"clickPipesServiceContextGet":            {},
		"clickPipeGet":                           {},
		"clickPipeUpdate":                        {},
		"clickPipeDelete":                        {},
		"clickPipeSettingsGet":                   {},
		"clickPipeSettingsUpdate":                {},
		"clickPipeSchemaDiscovery":               {},
		"clickPipeScalingUpdate":                 {},
		"clickPipeStateUpdate":                   {},
		"clickPipeCdcScalingGet":                 {},
		"clickPipeCdcScalingUpdate":              {},
		"clickPipeReversePrivateEndpointGetList": {},
		"clickPipeReversePrivateEndpointCreate":  {},
		"clickPipeReversePrivateEndpointGet":     {},
		"clickPipeReversePrivateEndpointUpdate":  {},
		"clickPipeReversePrivateEndpointDelete":  {},

		// ClickStack
		"clickStackListDashboards":    {},
		"clickStackCreateDashboard":   {},
		"clickStackGetDashboard":      {},
		"clickStackUpdateDashboard":   {},
		"clickStackDeleteDashboard":   {},
		"clickStackValidateDashboard": {},
		"clickStackListAlerts":        {},
		"clickStackCreateAlert":       {},
		"clickStackGetAlert":          {},
		"clickStackUpdateAlert":       {},
		"clickStackDeleteAlert":       {},
		"clickStackListSources":       {},
		"clickStackCreateSource":      {},
		"clickStackGetSource":         {},
		"clickStackUpdateSource":      {},
		"clickStackDeleteSource":      {},
		"clickStackListWebhooks":      {},
		"clickStackCreateWebhook":     {},
		"clickStackUpdateWebhook":     {},
		"clickStackDeleteWebhook":     {},
		"clickStackListRoles":         {},
		"clickStackCreateRole":        {},
		"clickStackGetRole":           {},
		"clickStackUpdateRole":        {},
		"clickStackDeleteRole":        {},
		"clickStackListSavedSearches": {},
		"clickStackCreateSavedSearch": {},
		"clickStackGetSavedSearch":    {},
		"clickStackUpdateSavedSearch": {},
		"clickStackDeleteSavedSearch": {},

		// Postgres
		"postgresServiceCreate":             {},
		"postgresServiceGetList":            {},
		"postgresOrgPrometheusGet":          {},
		"postgresServiceGet":                {},
		"postgresServiceDelete":             {},
		"postgresServicePatch":              {},
		"postgresServiceCertsGet":           {},
		"postgresInstanceRestore":           {after: afterPostgresCopy},
		"postgresServiceSetPassword":        {},
		"postgresServicePatchState":         {},
		"postgresInstanceCreateReadReplica": {after: afterPostgresCopy},
		"postgresInstanceConfigGet":         {},
		"postgresInstanceConfigPost":        {},
		"postgresInstanceConfigPatch":       {},
		"postgresInstancePrometheusGet":     {},
		"postgresInstanceMetricsGet":        {query: metricsDates},
		"slowQueryPatternsGetList":          {query: metricsDates},
		"slowQueryPatternGet": {query: func(*Session, map[string]string) url.Values {
			return url.Values{"db_name": {"postgres"}, "db_user": {"postgres"}, "db_operation": {"SELECT"}}
		}},
		"postgresLogsGetList": {query: metricsDates},

		// UDFs
		"udfUploadSessionCreate": {},
		"udfCreate":              {},
		"udfList":                {},
		"udfGet":                 {},
		"udfDelete":              {},
		"udfVersionCreate":       {},
		"udfVersionList":         {},
		"udfVersionDelete":       {},
		"udfAttach":              {after: afterAttach},
		"udfAttachmentGet":       {params: attached("udfAttachmentGet")},
		"udfAttachmentList":      {params: attached("udfAttachmentList")},
		"udfDetach":              {params: attached("udfDetach")},
	}
}

// findMember returns the first member: memberUpdate then sets the role it already has.
func findMember(s *Session) (map[string]string, error) {
	p := s.params()
	id, err := s.findItem("userId", resources["userId"], p)
	if err != nil {
		return nil, err
	}
	x, err := s.Must("memberGet", Request{Params: s.params("userId", id)})
	if err != nil {
		return nil, err
	}
	var m struct {
		Role string `json:"role"`
	}
	if err := x.Result(&m); err != nil {
		return nil, err
	}
	p["userId"], p["_role"] = id, m.Role
	return p, nil
}

// disposableMember finds the member named by EnvDisposableMember for memberDelete to remove.
// Members join only by accepting an emailed invitation, so the run cannot create one, and it
// must never pick a person on its own.
func disposableMember(s *Session) (map[string]string, error) {
	email := s.Config.DisposableMember
	if email == "" {
		return nil, skipf("members join only by accepting an emailed invitation, so the run cannot create one to "+
			"delete: set %s to the email of a member the run may remove", EnvDisposableMember)
	}
	p := s.params()
	x, err := s.Must("memberGetList", Request{Params: p})
	if err != nil {
		return nil, err
	}
	var members []struct {
		UserID string `json:"userId"`
		Email  string `json:"email"`
	}
	if err := x.Result(&members); err != nil {
		return nil, err
	}
	for _, m := range members {
		if strings.EqualFold(m.Email, email) && m.UserID != "" {
			p["userId"] = m.UserID
			return p, nil
		}
	}
	return nil, skipf("no member with the email %s (%s) in this organization", email, EnvDisposableMember)
}

// stoppedService creates a service and stops it, for instanceDelete to delete.
func stoppedService(s *Session) (map[string]string, error) {
	id, err := s.createService("del")
	if err != nil {
		return nil, err
	}
	if err := s.stopService(id); err != nil {
		return nil, err
	}
	return s.params("serviceId", id), nil
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
	id := created.Service.ID
	s.Defer("delete service "+id, func(ctx context.Context) error { return s.with(ctx).deleteService(id) })
	return nil
}

// afterPostgresCopy deletes a Postgres service made by restore or read replica.
func afterPostgresCopy(s *Session, req Request, x *Exchange) error {
	if !x.OK() {
		return nil
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := x.Result(&created); err != nil || created.ID == "" {
		return err
	}
	p := s.params("postgresId", created.ID)
	s.Defer("delete postgres "+created.ID, func(ctx context.Context) error {
		return s.with(ctx).ignore404("postgresServiceDelete", p)
	})
	return nil
}

// ownSetting sets a ClickHouse setting so that serviceClickhouseSettingDelete has one to reset.
func ownSetting(s *Session) (map[string]string, error) {
	p := s.params()
	if _, err := s.Must("serviceClickhouseSettingsUpdate", Request{Params: p, Body: bodies["serviceClickhouseSettingsUpdate"](s, p)}); err != nil {
		return nil, err
	}
	p["settingName"] = "max_threads"
	return p, nil
}

// attached attaches the run's function to the run's service before the call; a read-only run
// reads the attachments that exist.
func attached(id string) func(s *Session) (map[string]string, error) {
	return func(s *Session) (map[string]string, error) {
		if !s.Config.RunsMutating() {
			return s.resolve(op(id))
		}
		return attach(s)
	}
}

func attach(s *Session) (map[string]string, error) {
	p, err := s.resolve(op("udfAttach"))
	if err != nil {
		return nil, err
	}
	x, err := s.Must("udfAttach", Request{Params: p, Body: bodies["udfAttach"](s, p)})
	if err != nil {
		return nil, err
	}
	return p, afterAttach(s, Request{Params: p}, x)
}

func afterAttach(s *Session, req Request, x *Exchange) error {
	if x.OK() {
		s.Defer("udfDetach", func(ctx context.Context) error { return s.with(ctx).ignore404("udfDetach", req.Params) })
	}
	return nil
}

// prerequisites run before an operation's body is built, and may leave values in the path
// parameter map (keys starting with "_") for the body to use. (Set in init: they create items,
// which runs prerequisites.)
var prerequisites map[string]func(s *Session, p map[string]string) error

func init() {
	prerequisites = map[string]func(s *Session, p map[string]string) error{
		"organizationUpdate": func(s *Session, p map[string]string) error {
			x, err := s.Must("organizationGet", Request{Params: p})
			if err != nil {
				return err
			}
			p["_name"] = field(mustResult(x), "name")
			return nil
		},
		"udfCreate":                   uploadSession,
		"udfVersionCreate":            uploadSession,
		"clickStackCreateSavedSearch": clickStackSource,
		"clickStackUpdateSavedSearch": clickStackSource,
	}
}

func mustResult(x *Exchange) any {
	var v any
	_ = x.Result(&v)
	return v
}

// uploadSession opens an upload session for a UDF artifact. The artifact itself would go to
// the presigned URL, which is outside the management API and never recorded.
func uploadSession(s *Session, p map[string]string) error {
	x, err := s.Must("udfUploadSessionCreate", Request{Params: p})
	if err != nil {
		return err
	}
	p["_uploadId"] = field(mustResult(x), "uploadId")
	return nil
}

func clickStackSource(s *Session, p map[string]string) error {
	if _, ok := p["_sourceId"]; ok {
		return nil
	}
	id, err := s.createItem("clickStackSourceId", resources["clickStackSourceId"], p)
	p["_sourceId"] = id
	return err
}

// serviceBody is the smallest service creation the API accepts.
func serviceBody(name string) map[string]any {
	return map[string]any{"name": name, "provider": "aws", "region": "us-east-1"}
}

var fixedTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type bodyFunc func(s *Session, p map[string]string) any

// static is a body that does not depend on the run.
func static(v any) bodyFunc { return func(*Session, map[string]string) any { return v } }

// named is a body with the run's name in field (and more fields).
func named(field, suffix string, more map[string]any) bodyFunc {
	return func(s *Session, _ map[string]string) any {
		m := map[string]any{field: s.Config.Name(suffix)}
		for k, v := range more {
			m[k] = v
		}
		return m
	}
}

// bodies, by operationId: the smallest valid request each operation takes. Per docs/api-behaviour.md,
// send only what a caller sets; required lists in the document are partial.
var bodies = map[string]bodyFunc{
	"organizationUpdate": func(_ *Session, p map[string]string) any { return map[string]any{"name": p["_name"]} },
	"organizationRolePost": named("name", "role", map[string]any{"actors": []string{},
		"policies": []any{map[string]any{"allowDeny": "ALLOW", "permissions": []string{"control-plane:service:view"}, "resources": []string{"instance/*"}}}}),
	"organizationRolePatch":                named("name", "role2", nil),
	"organizationByocInfrastructureCreate": named("displayName", "byoc", map[string]any{"regionId": "us-east-1", "accountId": "123456789012", "availabilityZoneSuffixes": []string{"a", "b", "c"}, "vpcCidrRange": "10.0.0.0/16"}),
	"organizationByocInfrastructureUpdate": named("displayName", "byoc2", nil),
	"instanceCreate":                       func(s *Session, _ map[string]string) any { return serviceBody(s.Config.Name("new")) },
	"instanceUpdate":                       named("name", "svc", nil),
	"instanceQueryEndpointUpsert":          static(map[string]any{"roles": []string{"sql_console_read_only"}, "openApiKeys": []string{}, "allowedOrigins": ""}),
	"instanceStateUpdate":                  static(map[string]any{"command": "start"}),
	"instanceScalingUpdate":                static(map[string]any{"idleScaling": true, "idleTimeoutMinutes": 15}),
	"instanceReplicaScalingUpdate":         static(map[string]any{"minReplicaMemoryGb": 8, "maxReplicaMemoryGb": 16}),
	"instancePasswordUpdate":               static(map[string]any{}),
	"instancePrivateEndpointCreate":        named("description", "pe", map[string]any{"id": "vpce-0123456789abcdef0"}),
	"scalingScheduleUpsert": func(s *Session, _ map[string]string) any {
		return map[string]any{"entries": []any{map[string]any{"name": s.Config.Name("night"), "weekdays": []int{1, 2, 3, 4, 5}, "startHourUtc": 1, "endHourUtc": 5}}}
	},
	"upgradeWindowUpdate":             static(map[string]any{"weekday": 3, "startHourUtc": 12}),
	"serviceClickhouseSettingsUpdate": static(map[string]any{"settings": `{"max_threads":"4"}`}),
	"backupConfigurationUpdate":       static(map[string]any{"backupPeriodInHours": 24}),
	"backupBucketCreate": static(map[string]any{"bucketProvider": "AWS", "bucketPath": "s3://chcconf-backups/path",
		"iamRoleArn": "arn:aws:iam::123456789012:role/chcconf-backups"}),
	"backupBucketUpdate": static(map[string]any{"bucketProvider": "AWS", "bucketPath": "s3://chcconf-backups/path2"}),
	"openapiKeyCreate":   named("name", "key", map[string]any{"roles": []string{"developer"}}),
	"openapiKeyUpdate":   named("name", "key2", nil),
	"memberUpdate":       func(_ *Session, p map[string]string) any { return map[string]any{"role": p["_role"]} },
	"invitationCreate": func(s *Session, _ map[string]string) any {
		return map[string]any{"email": s.Config.Name("inv") + "@example.com", "role": "developer"}
	},
	"clickPipeCreate":                       named("name", "pipe", nil),
	"clickPipeUpdate":                       named("name", "pipe2", nil),
	"clickPipeSettingsUpdate":               static(map[string]any{"streaming_max_insert_wait_ms": 5000}),
	"clickPipeSchemaDiscovery":              static(map[string]any{"source": map[string]any{}}),
	"clickPipeScalingUpdate":                static(map[string]any{"replicas": 2}),
	"clickPipeStateUpdate":                  static(map[string]any{"command": "stop"}),
	"clickPipeCdcScalingUpdate":             static(map[string]any{"replicaCpuMillicores": 2000, "replicaMemoryGb": 8}),
	"clickPipeReversePrivateEndpointCreate": named("description", "rpe", map[string]any{"type": "VPC_ENDPOINT_SERVICE", "vpcEndpointServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-12345678901234567"}),
	"clickPipeReversePrivateEndpointUpdate": static(map[string]any{"customPrivateDnsMappings": []any{}}),
	"clickStackCreateDashboard":             named("name", "dash", map[string]any{"tiles": []any{}}),
	"clickStackUpdateDashboard":             named("name", "dash2", map[string]any{"tiles": []any{}}),
	"clickStackValidateDashboard":           named("name", "dash3", map[string]any{"tiles": []any{}}),
	"clickStackCreateAlert":                 static(alertBody),
	"clickStackUpdateAlert":                 static(alertBody),
	"clickStackCreateSource":                named("name", "src", sourceBody),
	"clickStackUpdateSource":                named("name", "src2", sourceBody),
	"clickStackCreateWebhook":               named("name", "hook", map[string]any{"service": "generic", "url": "https://example.com/chcconf-hook"}),
	"clickStackUpdateWebhook":               named("name", "hook2", map[string]any{"service": "generic", "url": "https://example.com/chcconf-hook"}),
	"clickStackCreateRole":                  named("name", "csrole", map[string]any{"permissions": []any{map[string]any{"action": "read", "subject": "dashboard"}}}),
	"clickStackUpdateRole":                  static(map[string]any{"permissions": []any{map[string]any{"action": "read", "subject": "dashboard"}}}),
	"clickStackCreateSavedSearch": func(s *Session, p map[string]string) any {
		return map[string]any{"name": s.Config.Name("search"), "sourceId": p["_sourceId"]}
	},
	"clickStackUpdateSavedSearch": func(s *Session, p map[string]string) any {
		return map[string]any{"name": s.Config.Name("search2"), "sourceId": p["_sourceId"]}
	},
	"postgresServiceCreate":             named("name", "pg", map[string]any{"provider": "aws", "region": "us-east-1", "size": "c6gd.large"}),
	"postgresServicePatch":              named("name", "pg2", nil),
	"postgresInstanceRestore":           named("name", "pgrestore", map[string]any{"restoreTarget": fixedTime.Format(time.RFC3339)}),
	"postgresServiceSetPassword":        func(s *Session, _ map[string]string) any { return map[string]any{"password": "Pw1" + randomID(20)} },
	"postgresServicePatchState":         static(map[string]any{"command": "restart"}),
	"postgresInstanceCreateReadReplica": named("name", "pgreplica", nil),
	"postgresInstanceConfigPost":        static(pgConfigBody),
	"postgresInstanceConfigPatch":       static(pgConfigBody),
	"udfCreate": func(s *Session, p map[string]string) any {
		return map[string]any{"uploadId": p["_uploadId"], "runtime": "python3.11", "type": "executable", "returnType": "String",
			"arguments": []any{map[string]any{"name": "x", "type": "String"}}, "functionName": s.Config.Name("fn")}
	},
	"udfVersionCreate": func(_ *Session, p map[string]string) any {
		return map[string]any{"uploadId": p["_uploadId"], "runtime": "python3.11", "type": "executable", "returnType": "String",
			"arguments": []any{map[string]any{"name": "x", "type": "String"}}}
	},
	"udfAttach": static(map[string]any{}),
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
