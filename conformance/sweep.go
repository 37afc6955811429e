package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/chcloud-dev/chcloud/cloud"
)

// sweepable are the kinds of organization-level items a conformance run creates, with the field
// that carries the run's name. Items inside a service (ClickPipes, ClickStack objects, settings)
// go with the run's service.
var sweepable = []struct {
	what, list, del, param, nameField string
}{
	{"API key", "openapiKeyGetList", "openapiKeyDelete", "keyId", "name"},
	{"role", "organizationRolesGetList", "organizationRoleDelete", "roleId", "name"},
	{"invitation", "invitationGetList", "invitationDelete", "invitationId", "email"},
	{"Postgres service", "postgresServiceGetList", "postgresServiceDelete", "postgresId", "name"},
	{"UDF", "udfList", "udfDelete", "functionName", "functionName"},
}

// NewLiveSession returns a session that calls cfg.BaseURL directly (no cassette), for tools
// such as the sweep command.
func NewLiveSession(ctx context.Context, cfg Config, base http.RoundTripper) *Session {
	if base == nil {
		base = http.DefaultTransport
	}
	caller := &Caller{HTTP: &http.Client{Timeout: callTimeout,
		Transport: &basicAuth{next: cloud.RateLimitedTransport(base, cfg.RateLimit, rateLimitWindow), user: cfg.KeyID, pass: cfg.KeySecret}}, BaseURL: cfg.BaseURL}
	cfg.Mode = Live
	s := NewSession(ctx, cfg, caller, &Fixtures{})
	return s
}

// Sweep deletes every service and organization-level item whose name starts with prefix (which
// must start with NamePrefix, so that nothing the suite did not create can match), reporting
// each to w. With dryRun it only reports. It returns how many items matched.
func Sweep(s *Session, prefix string, dryRun bool, w io.Writer) (int, error) {
	if !strings.HasPrefix(prefix, NamePrefix) {
		return 0, fmt.Errorf("sweep: prefix %q does not start with %q, the prefix of every name the suite creates", prefix, NamePrefix)
	}
	x, err := s.Must("organizationGetList", Request{})
	if err != nil {
		return 0, fmt.Errorf("sweep: %w", err)
	}
	var orgs []map[string]any
	if err := x.Result(&orgs); err != nil || len(orgs) == 0 {
		return 0, fmt.Errorf("sweep: the key sees no organization (%v)", err)
	}
	s.Fixtures.OrgID = field(orgs[0], "id")
	matched := 0
	var errs []error

	x, err = s.Must("instanceGetList", Request{Params: s.params()})
	if err != nil {
		return 0, fmt.Errorf("sweep: %w", err)
	}
	var services []map[string]any
	if err := x.Result(&services); err != nil {
		return 0, fmt.Errorf("sweep: %w", err)
	}
	for _, svc := range services {
		name, id := field(svc, "name"), field(svc, "id")
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		matched++
		fmt.Fprintf(w, "service %s (%s)\n", name, id)
		if !dryRun {
			if err := s.deleteService(id); err != nil {
				errs = append(errs, fmt.Errorf("service %s: %w", name, err))
			}
		}
	}
	for _, k := range sweepable {
		x, err := s.Call(k.list, Request{Params: s.params()})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !x.OK() {
			continue // a kind the organization does not have (Postgres, UDFs in beta)
		}
		var result any
		if err := x.Result(&result); err != nil {
			errs = append(errs, err)
			continue
		}
		for _, item := range firstArray(result) {
			name := field(item, k.nameField)
			if !strings.HasPrefix(name, prefix) {
				continue
			}
			id := field(item, orDefault(resources[k.param].idField, "id"))
			matched++
			fmt.Fprintf(w, "%s %s (%s)\n", k.what, name, id)
			if dryRun {
				continue
			}
			x, err := s.Call(k.del, Request{Params: s.params(k.param, id)})
			if err == nil && !x.OK() && x.Status != 404 {
				err = errors.New(x.Error())
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s %s: %w", k.what, name, err))
			}
		}
	}
	return matched, errors.Join(errs...)
}
