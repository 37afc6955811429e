package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/conformance/findings"
	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// Negative scenarios (Ginkgo label "negative"): for each operation, the calls users' code meets
// on its error paths. Every input is chosen so that no call can change anything that exists:
//
//   - unknown-id: the operation's own path parameters get well-formed values that name nothing
//     (parents the run owns, the organization and service, stay real, so the answer is about
//     the item), with a valid body where one is needed.
//   - invalid-body: the scenario's valid body with one declared constraint broken, chosen
//     mechanically from the schema and refused by specdoc.CheckRequestBody; sent to the item
//     the happy path would change (created by the run), or to unknown ids where that item is
//     not the run's (the organization, a member). Only in mutating runs.
//   - wrong-secret: the run's key ID with a secret that is not its own, on one read operation
//     per tag.
//   - disabled-key: a key the run creates and disables (mutating runs), on organizationGetList.

// FakeRateLimit is the fake's rate limit in record runs: far above what a run sends in a window.
const FakeRateLimit = 100000

// NegativeCassettes is the sub-directory of the cassettes of negative scenarios.
const NegativeCassettes = "negative"

// Values that name nothing, one per shape of path parameter. They are fixed so that replayed
// requests match the recorded ones.
// They are cloudtest's, which the fake answers 404 for where it keeps no state (it
// synthesizes an item for any other id).
const (
	unknownUUID     = cloudtest.UnknownUUID
	unknownObjectID = cloudtest.UnknownObjectID
	unknownName     = cloudtest.UnknownName
	unknownVersion  = cloudtest.UnknownVersion
)

// HasNegative reports whether the operation has a negative spec: an id in its path, a body, or
// an authentication probe.
func HasNegative(o spec.Operation) bool {
	return len(o.PathParams) > 0 || takesBody(o) || authProbes()[o.ID]
}

// takesBody reports whether the operation has a JSON request body in the document.
func takesBody(o spec.Operation) bool { return bodySchema(o) != nil }

func bodySchema(o spec.Operation) *openapi3.Schema {
	doc, err := specdoc.OpenAPI()
	if err != nil {
		return nil
	}
	item := doc.Paths.Find(o.Path)
	if item == nil {
		return nil
	}
	kop := item.GetOperation(o.Method)
	if kop == nil || kop.RequestBody == nil || kop.RequestBody.Value == nil {
		return nil
	}
	media := kop.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return nil
	}
	return media.Schema.Value
}

// authProbes are the operations that get a wrong secret: the first read operation of each tag,
// and organizationGetList (which also gets the disabled key). One per tag is enough to see the
// 401 contract of each API family without sending a bad key a hundred times.
var authProbes = sync.OnceValue(func() map[string]bool {
	ops, _ := spec.Operations()
	out := map[string]bool{"organizationGetList": true}
	seen := map[string]bool{}
	for _, o := range ops {
		if o.Mutating() || len(o.Tags) == 0 || seen[o.Tags[0]] {
			continue
		}
		seen[o.Tags[0]] = true
		out[o.ID] = true
	}
	return out
})

// foreignTargets are operations whose item the run did not create (the organization, a member
// of it): an invalid body goes to unknown ids there, in case the service applied it.
var foreignTargets = map[string]bool{"organizationUpdate": true, "memberUpdate": true}

type credentialsKey struct{}

// credentials replace the run's key for one call (basicAuth reads them from the context).
type credentials struct{ user, pass string }

func withCredentials(ctx context.Context, user, pass string) context.Context {
	return context.WithValue(ctx, credentialsKey{}, credentials{user, pass})
}

// Negative runs the negative scenarios of op into the cassette negative/<op> and judges them.
func (r *Run) Negative(ctx context.Context, o spec.Operation, deferFn DeferFunc) Outcome {
	if r.setupErr != nil {
		return r.recordNegative(o, nil, fmt.Errorf("setup failed: %w", r.setupErr))
	}
	cas, err := r.Config.OpenCassette(NegativeCassettes+"/"+o.ID, r.Transport)
	if err != nil {
		return r.recordNegative(o, nil, err)
	}
	deferFn("stop cassette "+NegativeCassettes+"/"+o.ID, func(context.Context) error { return cas.Stop() })
	caller := &Caller{HTTP: &http.Client{Transport: cas, Timeout: callTimeout}, BaseURL: r.Config.BaseURL, Observe: r.noteFake}
	s := NewSession(ctx, r.Config, caller, r.Fixtures)
	s.Defer = deferFn
	n := &negative{run: r, s: s, o: o}
	var probes []findings.Probe
	if len(o.PathParams) > 0 {
		probes = append(probes, n.unknownID())
	}
	if takesBody(o) {
		probes = append(probes, n.invalidBody())
	}
	if authProbes()[o.ID] {
		probes = append(probes, n.wrongSecret())
		if o.ID == "organizationGetList" {
			probes = append(probes, n.disabledKey())
		}
	}
	return r.recordNegative(o, probes, nil)
}

func (r *Run) recordNegative(o spec.Operation, probes []findings.Probe, err error) Outcome {
	for i := range probes {
		r.Deviations.Mark(probes[i].Findings)
	}
	ec := findings.NewErrorContract(probes, err)
	r.mu.Lock()
	r.negatives[o.ID] = ec
	r.mu.Unlock()
	out := Outcome{}
	switch ec.Outcome {
	case findings.Errored:
		var b strings.Builder
		fmt.Fprintf(&b, "%s (negative): %s", o.ID, orText(ec.Error, "a probe failed"))
		for _, p := range ec.Probes {
			if p.Error != "" {
				fmt.Fprintf(&b, "\n  %s: %s", p.Scenario, p.Error)
			}
		}
		out.Fail = b.String()
	case findings.Skipped:
		var reasons []string
		for _, p := range ec.Probes {
			reasons = append(reasons, p.Scenario+": "+p.Skip)
		}
		out.Skip = strings.Join(reasons, "; ")
	case findings.NewFindings:
		var b strings.Builder
		fmt.Fprintf(&b, "%s: new findings in its error contract (see conformance/report/drift.md; a known deviation goes in conformance/known-deviations.yaml):\n", o.ID)
		for _, p := range ec.Probes {
			for _, f := range findings.New(p.Findings) {
				b.WriteString("  " + f.String() + "\n")
			}
		}
		out.Fail = b.String()
	}
	return out
}

// negative is the state of one operation's negative spec.
type negative struct {
	run *Run
	s   *Session
	o   spec.Operation
}

// unknownParams are the operation's path parameters with its own ids replaced by values that
// name nothing: every parameter the fixtures do not provide, or the last one when they all do
// (organizationGet asks about an organization that does not exist).
func (n *negative) unknownParams() (map[string]string, []string) {
	p := n.s.params()
	var replaced []string
	for i, name := range n.o.PathParams {
		_, fixture := p[name]
		if fixture && i < len(n.o.PathParams)-1 {
			continue
		}
		p[name] = unknownValue(name)
		replaced = append(replaced, name)
	}
	return p, replaced
}

// unknownValue is a well-formed value for the parameter that names nothing.
func unknownValue(name string) string {
	switch {
	case strings.HasPrefix(name, "clickStack"):
		return unknownObjectID
	case name == "version":
		return unknownVersion
	case name == "functionName", name == "settingName", name == "quotaCode", name == "queryId":
		return unknownName
	}
	return unknownUUID
}

// placeholderBody is the operation's valid body built without prerequisites: the values
// prerequisites would find are given shapes that name nothing.
func (n *negative) placeholderBody(p map[string]string) any {
	sc, ok := scenarios()[n.o.ID]
	if !ok || sc.Body == nil {
		if takesBody(n.o) {
			return map[string]any{}
		}
		return nil
	}
	c := &Call{Params: copyParams(p), Name: n.s.Config.Name("neg"), Role: "developer", UploadID: unknownUUID, SourceID: unknownObjectID}
	return sc.Body(n.s, c)
}

// call sends req and judges the answer as a probe of scenario.
func (n *negative) call(ctx context.Context, p *findings.Probe, req Request, broken *findings.Violation) *Exchange {
	x, err := n.s.Caller.Call(ctx, n.o, req)
	if err != nil {
		p.Error = err.Error()
		return nil
	}
	p.Status, p.ContentType = x.Status, x.Header.Get("Content-Type")
	var sdk *findings.SDKView
	if x.Status >= 400 {
		p.Code, p.Message, p.RequestID, _ = findings.ErrorEnvelope(x.Header, x.Body)
		if len(p.Message) > 160 {
			p.Message = p.Message[:160] + "..."
		}
		v, err := SDKErrorView(n.o.Method, x.Status, x.Header, x.Body)
		if err != nil {
			p.Error = "asking the SDK: " + err.Error()
			return x
		}
		sdk = &v
		p.SDK = v.String()
	}
	p.Findings = n.run.Checker.CheckProbe(n.o, p.Scenario, p.Expected, broken, findings.Response{Status: x.Status, Header: x.Header, Body: x.Body}, sdk)
	// Whatever a negative call created (it should create nothing) is deleted after the spec.
	if x.OK() {
		if err := n.s.Finish(n.o, req, x); err != nil {
			p.Error = "cleaning up what the call created: " + err.Error()
		}
	}
	return x
}

func (n *negative) unknownID() findings.Probe {
	p := findings.Probe{Scenario: findings.ScenarioUnknownID, Expected: []int{400, 404}}
	params, replaced := n.unknownParams()
	if slices.Contains(replaced, "organizationId") {
		p.Expected = []int{400, 403, 404} // another organization's id is forbidden rather than missing
	}
	var parts []string
	for _, name := range replaced {
		parts = append(parts, name+"="+params[name])
	}
	p.Request = strings.Join(parts, ", ")
	req := Request{Params: params, Body: n.placeholderBody(params)}
	if q := scenarios()[n.o.ID].Query; q != nil {
		req.Query = q(n.s, &Call{Params: params})
	}
	n.call(n.s.Ctx, &p, req, nil)
	return p
}

func (n *negative) invalidBody() findings.Probe {
	p := findings.Probe{Scenario: findings.ScenarioInvalidBody, Expected: []int{400}}
	if !n.s.Config.RunsMutating() {
		p.Skip = fmt.Sprintf("%s mode sends invalid bodies only with %s=1", n.s.Config.Mode, EnvMutate)
		return p
	}
	var req Request
	if foreignTargets[n.o.ID] {
		params, _ := n.unknownParams()
		req = Request{Params: params, Body: n.placeholderBody(params)}
	} else {
		var err error
		req, err = n.s.Prepare(n.o)
		if errors.Is(err, ErrSkip) {
			p.Skip = strings.TrimPrefix(err.Error(), ErrSkip.Error()+": ")
			return p
		}
		if err != nil {
			p.Error = "preparing the request: " + err.Error()
			return p
		}
		if req.Body == nil {
			req.Body = n.placeholderBody(req.Params)
		}
	}
	body, v, err := InvalidBody(n.o, req.Body)
	if err != nil {
		p.Skip = err.Error()
		return p
	}
	req.Body = body
	p.Field, p.Rule = v.Path, v.Rule
	p.Request = v.Path + " breaks " + v.Rule
	n.call(n.s.Ctx, &p, req, &v)
	return p
}

func (n *negative) wrongSecret() findings.Probe {
	p := findings.Probe{Scenario: findings.ScenarioWrongSecret, Expected: []int{401}, Request: "the run's key ID, a wrong secret"}
	// The real organization and service: the key is what is wrong. Other ids name nothing.
	params := n.s.params()
	for _, name := range n.o.PathParams {
		if _, ok := params[name]; !ok {
			params[name] = unknownValue(name)
		}
	}
	req := Request{Params: params, Body: n.placeholderBody(params)}
	ctx := withCredentials(n.s.Ctx, n.run.Config.KeyID, n.run.wrongSecret)
	n.call(ctx, &p, req, nil)
	return p
}

// disabledKey creates a key, disables it and calls with it; the key is deleted after the spec.
func (n *negative) disabledKey() findings.Probe {
	p := findings.Probe{Scenario: findings.ScenarioDisabledKey, Expected: []int{401}, Request: "a key the run created and disabled"}
	if !n.s.Config.RunsMutating() {
		p.Skip = fmt.Sprintf("creating a key to disable needs a mutating run (%s=1)", EnvMutate)
		return p
	}
	pp := n.s.params()
	x, err := n.s.Must("openapiKeyCreate", Request{Params: pp, Body: body(n.s, "openapiKeyCreate", &Call{Params: pp})})
	if err != nil {
		p.Error = "creating the key: " + err.Error()
		return p
	}
	var created struct {
		Key struct {
			ID string `json:"id"`
		} `json:"key"`
		KeyID     string `json:"keyId"`
		KeySecret string `json:"keySecret"`
	}
	if err := x.Result(&created); err != nil || created.Key.ID == "" {
		p.Error = fmt.Sprintf("openapiKeyCreate: no key id in the answer (%v)", err)
		return p
	}
	kp := n.s.params("keyId", created.Key.ID)
	n.s.cleanup("openapiKeyDelete", kp, created.Key.ID)
	if _, err := n.s.Must("openapiKeyUpdate", Request{Params: kp, Body: map[string]any{"state": "disabled"}}); err != nil {
		p.Error = "disabling the key: " + err.Error()
		return p
	}
	n.call(withCredentials(n.s.Ctx, created.KeyID, created.KeySecret), &p, Request{Params: n.s.params()}, nil)
	return p
}

// InvalidBody returns a copy of the valid body with one declared constraint broken, and which:
// chosen mechanically from the operation's body schema, in this order: a value outside an enum,
// a wrong type, a missing required property, a string shorter than its minLength (properties in
// name order, those of the valid body first), else a body that is not an object. The result is
// refused by specdoc.CheckRequestBody, so it is invalid by the document and no request
// deviation accepts it.
func InvalidBody(o spec.Operation, valid any) (any, findings.Violation, error) {
	schema := bodySchema(o)
	if schema == nil {
		return nil, findings.Violation{}, fmt.Errorf("%s takes no JSON body", o.ID)
	}
	base, _ := valid.(map[string]any)
	if base == nil {
		base = map[string]any{}
	}
	props := topProperties(schema)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		_, pi := base[names[i]]
		_, pj := base[names[j]]
		if pi != pj {
			return pi
		}
		return names[i] < names[j]
	})
	type candidate struct {
		body any
		v    findings.Violation
	}
	var cands []candidate
	with := func(name string, value any, rule string) {
		m := cloneMap(base)
		m[name] = value
		cands = append(cands, candidate{m, findings.Violation{Path: specdoc.JSONPath(m, []string{name}), Rule: rule}})
	}
	for _, name := range names {
		if e := props[name]; len(e.Enum) > 0 {
			if _, present := base[name]; present || len(base) == 0 {
				with(name, "chcconf-not-in-enum", "enum")
			}
		}
	}
	for _, name := range names {
		if _, present := base[name]; present {
			with(name, wrongType(props[name]), "type")
		}
	}
	for _, name := range schema.Required {
		if _, present := base[name]; present {
			m := cloneMap(base)
			delete(m, name)
			cands = append(cands, candidate{m, findings.Violation{Path: specdoc.JSONPath(base, []string{name}), Rule: "required"}})
		}
	}
	for _, name := range names {
		if s := props[name]; s.MinLength > 0 && s.Type.Includes(openapi3.TypeString) {
			with(name, "", "minLength")
		}
	}
	for _, name := range names {
		if _, present := base[name]; !present {
			with(name, wrongType(props[name]), "type")
		}
	}
	cands = append(cands, candidate{[]any{}, findings.Violation{Path: "$", Rule: "type"}})
	for _, c := range cands {
		raw, err := json.Marshal(c.body)
		if err != nil {
			return nil, findings.Violation{}, err
		}
		verdict, err := specdoc.CheckRequestBody(o.ID, raw)
		if err != nil {
			return nil, findings.Violation{}, err
		}
		if !verdict.OK() {
			return c.body, c.v, nil
		}
	}
	return nil, findings.Violation{}, fmt.Errorf("no constraint of the %s body could be broken so that the document refuses it", o.ID)
}

// topProperties are the body's declared properties, allOf parts included; for a union, those
// of its forms (the first form declaring a name wins).
func topProperties(s *openapi3.Schema) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	var collect func(s *openapi3.Schema, depth int)
	collect = func(s *openapi3.Schema, depth int) {
		if s == nil || depth > 6 {
			return
		}
		for name, ref := range s.Properties {
			if _, seen := out[name]; !seen && ref != nil && ref.Value != nil {
				out[name] = ref.Value
			}
		}
		for _, forms := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, f := range forms {
				if f != nil {
					collect(f.Value, depth+1)
				}
			}
		}
	}
	collect(s, 0)
	return out
}

// wrongType is a value of a JSON type the schema does not admit.
func wrongType(s *openapi3.Schema) any {
	switch {
	case s.Type.Includes(openapi3.TypeString):
		return 12345
	case s.Type.Includes(openapi3.TypeBoolean), s.Type.Includes(openapi3.TypeInteger), s.Type.Includes(openapi3.TypeNumber),
		s.Type.Includes(openapi3.TypeArray), s.Type.Includes(openapi3.TypeObject):
		return "chcconf-wrong-type"
	}
	if len(s.Properties) > 0 || s.Items != nil {
		return "chcconf-wrong-type"
	}
	return []any{"chcconf-wrong-type"}
}

func cloneMap(m map[string]any) map[string]any {
	c := make(map[string]any, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}
