package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// Fixtures are the run's shared resources, found or created once before the specs.
type Fixtures struct {
	OrgID     string `json:"organizationId"`
	ServiceID string `json:"serviceId"` // a running service every service-scoped scenario uses
	// OwnService says the run created ServiceID (mutating runs) rather than borrowing one.
	OwnService bool `json:"ownService"`
}

// Session is what one scenario works with: the spec's caller, the run's fixtures and a way to
// register cleanups.
type Session struct {
	Ctx      context.Context
	Config   Config
	Caller   *Caller
	Fixtures *Fixtures
	// Defer registers a cleanup to run after the spec, even when it fails (Ginkgo's DeferCleanup
	// in the suite). Cleanups run last-registered first.
	Defer func(what string, f func(context.Context) error)
	// Poll is the wait between polls of an asynchronous state; 0 in replay, where time is recorded.
	Poll time.Duration
	// deleted remembers resources the operation under test deleted, so cleanups skip them.
	deleted map[string]bool
}

// ErrSkip marks a scenario that cannot run in this organization (nothing to read, say); the
// spec is skipped with the message.
var ErrSkip = errors.New("skip")

func skipf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrSkip, fmt.Sprintf(format, args...))
}

// op returns the operation with id; the scenario table only names operations of the document
// (TestScenariosNameRealOperations).
func op(id string) spec.Operation {
	o, ok := spec.Lookup(id)
	if !ok {
		panic("conformance: no operation " + id)
	}
	return o
}

// Call calls the operation id.
func (s *Session) Call(id string, req Request) (*Exchange, error) {
	return s.Caller.Call(s.Ctx, op(id), req)
}

// Must calls the operation id and fails on anything but a 2xx answer. Setup and cleanup use it;
// the operation under test is called with Call, so its every answer is judged.
func (s *Session) Must(id string, req Request) (*Exchange, error) {
	x, err := s.Call(id, req)
	if err != nil {
		return nil, err
	}
	if !x.OK() {
		return x, errors.New(x.Error())
	}
	return x, nil
}

// params builds path parameters: the organization and service fixtures plus extra pairs.
func (s *Session) params(kv ...string) map[string]string {
	p := map[string]string{"organizationId": s.Fixtures.OrgID, "serviceId": s.Fixtures.ServiceID}
	for i := 0; i+1 < len(kv); i += 2 {
		p[kv[i]] = kv[i+1]
	}
	return p
}

// sleep waits d, or not at all in replay.
func (s *Session) sleep(d time.Duration) error {
	if s.Poll == 0 || d == 0 {
		return s.Ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.Ctx.Done():
		return s.Ctx.Err()
	case <-t.C:
		return nil
	}
}

// pollLimit bounds every wait in calls, so a stuck state fails instead of hanging: with the real
// API's 10-second polls that is over an hour, enough for the slowest provisioning.
const pollLimit = 400

// serviceWaitLimit bounds package cloud's waits (which poll until their context ends) the same
// way: 400 of the real API's 10-second polls.
const serviceWaitLimit = pollLimit * 10 * time.Second

// waitFor polls get until its result's field state is one of want.
func (s *Session) waitFor(get string, p map[string]string, field string, want ...string) (map[string]any, error) {
	var last string
	for range pollLimit {
		x, err := s.Must(get, Request{Params: p})
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := x.Result(&m); err != nil {
			return nil, err
		}
		last, _ = m[field].(string)
		for _, w := range want {
			if last == w {
				return m, nil
			}
		}
		if last == "failed" || last == "Failed" {
			return nil, fmt.Errorf("%s: state %s while waiting for %s", get, last, strings.Join(want, "|"))
		}
		if err := s.sleep(s.Poll); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%s: still %q after %d polls, waiting for %s", get, last, pollLimit, strings.Join(want, "|"))
}

// createService creates a service named with the run prefix and waits until it runs.
func (s *Session) createService(suffix string) (string, error) {
	x, err := s.Must("instanceCreate", Request{Params: s.params(), Body: serviceBody(s.Config.Name(suffix))})
	if err != nil {
		return "", err
	}
	var created struct {
		Service struct {
			ID string `json:"id"`
		} `json:"service"`
	}
	if err := x.Result(&created); err != nil || created.Service.ID == "" {
		return "", fmt.Errorf("instanceCreate: no service id in the answer (%v)", err)
	}
	id := created.Service.ID
	s.deferServiceDeletion(id)
	if _, err := s.waitFor("instanceGet", s.params("serviceId", id), "state", "running"); err != nil {
		return "", err
	}
	return id, nil
}

// with returns a copy of the session bound to ctx (cleanups get their own context).
func (s *Session) with(ctx context.Context) *Session {
	c := *s
	c.Ctx = ctx
	return &c
}

// deleteService deletes a service with package cloud's DeleteService (stop, wait for stopped,
// DELETE repeated while the API answers 409, wait until it is gone), through the session's
// transport, so that its calls are recorded and replayed like the suite's own. A service the
// run just created may still be provisioning, which cannot be stopped yet: it is waited for
// first.
func (s *Session) deleteService(id string) error {
	if s.deleted[id] {
		return nil
	}
	if _, err := s.waitFor("instanceGet", s.params("serviceId", id), "state", "running", "stopped", "idle"); err != nil {
		return err
	}
	c, err := s.sdk()
	if err != nil {
		return err
	}
	// Replay has no time to wait for (Poll 0); cloud treats a zero interval as "default".
	poll := max(s.Poll, time.Nanosecond)
	ctx, cancel := context.WithTimeout(s.Ctx, serviceWaitLimit)
	defer cancel()
	return c.DeleteService(ctx, s.Fixtures.OrgID, id, cloud.WithPollInterval(poll, poll))
}

// sdk returns a package cloud client that calls through the session's transport: in record
// and replay mode the cassette (whose transport below the recorder adds the run's key, so the
// credentials given here never leave the process), in live mode the authenticated transport.
// It sends the suite's User-Agent, and neither limits nor retries: the transport below does
// both, as for every call of the suite.
func (s *Session) sdk() (*cloud.Client, error) {
	var next http.RoundTripper = http.DefaultTransport
	if s.Caller.HTTP != nil && s.Caller.HTTP.Transport != nil {
		next = s.Caller.HTTP.Transport
	}
	return cloud.New(cloud.WithCredentials("conformance", "suite"), cloud.WithBaseURL(s.Caller.BaseURL),
		cloud.WithHTTPClient(&http.Client{Transport: next, Timeout: callTimeout}), cloud.WithUserAgent(UserAgent),
		cloud.WithoutRateLimit(), cloud.WithRetryPolicy(cloud.RetryPolicy{MaxAttempts: 1}))
}

// stopService stops a service and waits until it is stopped.
func (s *Session) stopService(id string) error {
	p := s.params("serviceId", id)
	if _, err := s.waitFor("instanceGet", p, "state", "running", "stopped", "idle"); err != nil {
		return err
	}
	if _, err := s.Must("instanceStateUpdate", Request{Params: p, Body: map[string]any{"command": "stop"}}); err != nil {
		return err
	}
	_, err := s.waitFor("instanceGet", p, "state", "stopped")
	return err
}

// Setup finds the organization and the service the run works on: a new one in mutating runs
// (and so in replay, which replays what a mutating record run did), else the first running one.
func Setup(s *Session) error {
	x, err := s.Must("organizationGetList", Request{})
	if err != nil {
		return fmt.Errorf("setup: listing organizations: %w", err)
	}
	var orgs []struct {
		ID string `json:"id"`
	}
	if err := x.Result(&orgs); err != nil || len(orgs) == 0 {
		return fmt.Errorf("setup: the key sees no organization (%v)", err)
	}
	s.Fixtures.OrgID = orgs[0].ID
	if s.Config.RunsMutating() {
		id, err := s.createService("svc")
		if err != nil {
			return fmt.Errorf("setup: creating the run's service: %w", err)
		}
		s.Fixtures.ServiceID, s.Fixtures.OwnService = id, true
		return nil
	}
	x, err = s.Must("instanceGetList", Request{Params: s.params()})
	if err != nil {
		return fmt.Errorf("setup: listing services: %w", err)
	}
	var services []struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	if err := x.Result(&services); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	for _, svc := range services {
		if svc.State == "running" || s.Fixtures.ServiceID == "" {
			s.Fixtures.ServiceID = svc.ID
		}
	}
	return nil
}

// resource describes a kind of item addressed by one path parameter.
type resource struct {
	list    string // operation listing the items ("" when there is none)
	create  string // operation creating one ("" when the API cannot)
	del     string // operation deleting one
	idField string // field of a listed item holding the parameter value; "id" when empty
	// createdID is the field of create's result holding the new id, when not idField.
	createdID string
}

// resources, by the path parameter that names them.
var resources = map[string]resource{
	"roleId":                   {list: "organizationRolesGetList", create: "organizationRolePost", del: "organizationRoleDelete"},
	"quotaCode":                {list: "organizationQuotasGetList", idField: "quotaCode"},
	"keyId":                    {list: "openapiKeyGetList", create: "openapiKeyCreate", del: "openapiKeyDelete", createdID: "key.id"},
	"userId":                   {list: "memberGetList", idField: "userId"},
	"invitationId":             {list: "invitationGetList", create: "invitationCreate", del: "invitationDelete"},
	"activityId":               {list: "activityGetList"},
	"backupId":                 {list: "backupGetList"},
	"settingName":              {list: "serviceClickhouseSettingsListGet", idField: "name"},
	"clickPipeId":              {list: "clickPipeGetList", create: "clickPipeCreate", del: "clickPipeDelete"},
	"clickStackDashboardId":    {list: "clickStackListDashboards", create: "clickStackCreateDashboard", del: "clickStackDeleteDashboard"},
	"clickStackAlertId":        {list: "clickStackListAlerts", create: "clickStackCreateAlert", del: "clickStackDeleteAlert"},
	"clickStackSourceId":       {list: "clickStackListSources", create: "clickStackCreateSource", del: "clickStackDeleteSource"},
	"clickStackWebhookId":      {list: "clickStackListWebhooks", create: "clickStackCreateWebhook", del: "clickStackDeleteWebhook"},
	"clickStackRoleId":         {list: "clickStackListRoles", create: "clickStackCreateRole", del: "clickStackDeleteRole"},
	"clickStackSavedSearchId":  {list: "clickStackListSavedSearches", create: "clickStackCreateSavedSearch", del: "clickStackDeleteSavedSearch"},
	"postgresId":               {list: "postgresServiceGetList", create: "postgresServiceCreate", del: "postgresServiceDelete"},
	"queryId":                  {list: "slowQueryPatternsGetList", idField: "queryId"},
	"reversePrivateEndpointId": {list: "clickPipeReversePrivateEndpointGetList", create: "clickPipeReversePrivateEndpointCreate", del: "clickPipeReversePrivateEndpointDelete"},
	"byocInfrastructureId":     {create: "organizationByocInfrastructureCreate", del: "organizationByocInfrastructureDelete"},
	"functionName":             {list: "udfList", create: "udfCreate", del: "udfDelete", idField: "functionName"},
	"version":                  {list: "udfVersionList", create: "udfVersionCreate", del: "udfVersionDelete", idField: "version"},
}

// resolve fills c.Params for o. The organization and service come from the fixtures. An item
// the operation changes or deletes is always created by the run (a scenario never changes what
// it did not create); an item it only reads is created in mutating runs, and otherwise found by
// listing.
func (s *Session) resolve(o spec.Operation, c *Call) error {
	c.Params = s.params()
	for i, name := range o.PathParams {
		if _, ok := c.Params[name]; ok {
			continue
		}
		r, ok := resources[name]
		if !ok {
			return fmt.Errorf("%s: no way to find a %s", o.ID, name)
		}
		target := i == len(o.PathParams)-1 && o.Mutating()
		var id string
		var err error
		switch {
		case r.create != "" && (target || s.Config.RunsMutating()):
			id, err = s.createItem(name, r, c)
		case r.list != "" && !target:
			id, err = s.findItem(name, r, c)
		default:
			return skipf("%s changes a %s, and the API cannot create one for the run", o.ID, name)
		}
		if err != nil {
			return err
		}
		c.Params[name] = id
	}
	return nil
}

// findItem lists items and returns the first one's id.
func (s *Session) findItem(name string, r resource, c *Call) (string, error) {
	req := Request{Params: c.Params}
	if q := scenarios()[r.list].Query; q != nil {
		req.Query = q(s, c)
	}
	x, err := s.Must(r.list, req)
	if err != nil {
		return "", err
	}
	var result any
	if err := x.Result(&result); err != nil {
		return "", err
	}
	items := firstArray(result)
	if len(items) == 0 {
		return "", skipf("there is no %s to read in this organization", name)
	}
	id := field(items[0], orDefault(r.idField, "id"))
	if id == "" {
		return "", fmt.Errorf("%s: the first item has no %s", r.list, orDefault(r.idField, "id"))
	}
	return id, nil
}

// createItem creates an item for c (with the create operation's scenario: its Before and Body,
// which see c) and registers its deletion.
func (s *Session) createItem(name string, r resource, c *Call) (string, error) {
	sc := scenarios()[r.create]
	if sc.Before != nil {
		if err := sc.Before(s, c); err != nil {
			return "", err
		}
	}
	req := Request{Params: c.Params}
	if sc.Body != nil {
		req.Body = sc.Body(s, c)
	}
	x, err := s.Must(r.create, req)
	if err != nil {
		return "", err
	}
	id, err := s.adopt(name, r, req, x)
	if err != nil || id != "" {
		return id, err
	}
	var result any
	_ = x.Result(&result)
	if createdID(r, req.Body, result) == "" {
		return "", fmt.Errorf("%s: no %s in the answer", r.create, name)
	}
	return "", skipf("%s answered %s %q, which is not a valid path parameter %s", r.create,
		orDefault(r.createdID, orDefault(r.idField, "id")), createdID(r, req.Body, result), name)
}

// adopt reads the id of the item that x (an answer of r.create to req) created and registers its
// deletion after the spec. It returns "" when the answer names nothing r.del could address.
// This is the one place where created items get their cleanup: items a scenario creates on
// the way (createItem) and items the operation under test created (Finish).
func (s *Session) adopt(name string, r resource, req Request, x *Exchange) (string, error) {
	var result any
	if err := x.Result(&result); err != nil {
		return "", err
	}
	id := createdID(r, req.Body, result)
	if id == "" || !paramAccepts(r.del, name, id) {
		return "", nil
	}
	if r.del != "" {
		dp := copyParams(req.Params)
		dp[name] = id
		s.cleanup(r.del, dp, id)
	}
	return id, nil
}

// createdID is the id of the item a create answered with result. Items keyed by a name the
// caller chose (UDFs) are addressed by that name.
func createdID(r resource, body, result any) string {
	id := field(result, orDefault(r.createdID, orDefault(r.idField, "id")))
	if m, ok := body.(map[string]any); ok {
		if sent, ok := m[orDefault(r.idField, "id")].(string); ok && sent != "" {
			id = sent
		}
	}
	return id
}

// cleanup registers the call of the delete operation del with params, after the spec (or the
// run, in Setup), even when the spec fails. It is skipped when the operation under test
// deleted key already, and a 404 means the item is gone: both are success.
func (s *Session) cleanup(del string, params map[string]string, key string) {
	s.Defer(del+" "+key, func(ctx context.Context) error {
		c := s.with(ctx)
		if c.deleted[key] {
			return nil
		}
		x, err := c.Call(del, Request{Params: params})
		if err != nil {
			return err
		}
		if !x.OK() && x.Status != 404 {
			return errors.New(x.Error())
		}
		return nil
	})
}

// deferServiceDeletion registers the deletion of a service (stop, wait, DELETE, wait for it to
// be gone) after the spec or the run.
func (s *Session) deferServiceDeletion(id string) {
	s.Defer("delete service "+id, func(ctx context.Context) error { return s.with(ctx).deleteService(id) })
}

// createdBy returns the path parameter and resource of the item operation id creates, if any.
func createdBy(id string) (string, resource, bool) {
	for name, r := range resources {
		if r.create == id && r.del != "" {
			return name, r, true
		}
	}
	return "", resource{}, false
}

// Prepare returns the request for the operation under test.
func (s *Session) Prepare(o spec.Operation) (Request, error) {
	sc := scenarios()[o.ID]
	if slices.Contains(o.PathParams, "serviceId") && s.Fixtures.ServiceID == "" {
		return Request{}, skipf("the organization has no service to call %s on", o.ID)
	}
	c := &Call{}
	var err error
	if sc.Params != nil {
		err = sc.Params(s, c)
	} else {
		err = s.resolve(o, c)
	}
	if err != nil {
		return Request{}, err
	}
	if sc.Before != nil {
		if err := sc.Before(s, c); err != nil {
			return Request{}, err
		}
	}
	req := Request{Params: c.Params}
	if sc.Body != nil {
		req.Body = sc.Body(s, c)
	}
	if sc.Query != nil {
		req.Query = sc.Query(s, c)
	}
	return req, nil
}

// Finish runs after the operation under test answered: it records deletions and registers the
// cleanup of whatever the call created (the scenario's After, else Session.adopt).
func (s *Session) Finish(o spec.Operation, req Request, x *Exchange) error {
	if o.Method == "DELETE" && x.OK() && len(o.PathParams) > 0 {
		s.deleted[req.Params[o.PathParams[len(o.PathParams)-1]]] = true
	}
	if sc := scenarios()[o.ID]; sc.After != nil {
		return sc.After(s, req, x)
	}
	if !x.OK() {
		return nil
	}
	if name, r, ok := createdBy(o.ID); ok {
		_, err := s.adopt(name, r, req, x)
		return err
	}
	return nil
}

// NewSession returns a session; Defer must be set before use.
func NewSession(ctx context.Context, cfg Config, caller *Caller, fx *Fixtures) *Session {
	poll := time.Duration(0)
	switch {
	case cfg.Mode == Replay:
	case cfg.BaseURL == DefaultAPIURL:
		poll = 10 * time.Second
	default:
		poll = 50 * time.Millisecond
	}
	return &Session{Ctx: ctx, Config: cfg, Caller: caller, Fixtures: fx, Poll: poll, deleted: map[string]bool{},
		Defer: func(string, func(context.Context) error) {}}
}

func firstArray(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case map[string]any:
		for _, k := range []string{"items", "settings"} {
			if a, ok := t[k].([]any); ok {
				return a
			}
		}
	}
	return nil
}

// field returns a (dotted) field of a decoded JSON object as a string.
func field(v any, path string) string {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return ""
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func copyParams(p map[string]string) map[string]string {
	c := make(map[string]string, len(p))
	for k, v := range p {
		c[k] = v
	}
	return c
}

// paramAccepts reports whether value is valid for the path parameter name of operation id, as
// far as its format goes: an id the API answered is useless if no path can carry it.
func paramAccepts(id, name, value string) bool {
	doc, err := specdoc.OpenAPI()
	if err != nil || id == "" {
		return true
	}
	o := op(id)
	item := doc.Paths.Find(o.Path)
	if item == nil {
		return true
	}
	params := item.Parameters
	if kop := item.GetOperation(o.Method); kop != nil {
		params = append(append(openapi3.Parameters{}, params...), kop.Parameters...)
	}
	for _, ref := range params {
		if ref == nil || ref.Value == nil || ref.Value.Name != name || ref.Value.Schema == nil || ref.Value.Schema.Value == nil {
			continue
		}
		schema := ref.Value.Schema.Value
		if schema.Format == "uuid" && !uuidLike().MatchString(value) {
			return false
		}
		if schema.Pattern != "" {
			if re, err := regexp.Compile(schema.Pattern); err == nil && !re.MatchString(value) {
				return false
			}
		}
	}
	return true
}

var uuidLike = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
})
