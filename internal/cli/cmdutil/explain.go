package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
)

// explainTimeout bounds the lookup ExplainError makes: the command has already failed, and its
// error must not wait long for a better hint.
const explainTimeout = 5 * time.Second

// OrgAccessError is a 403 on an organization the key does not belong to: the key is fine, the
// organization setting (--org, CLICKHOUSE_ORG_ID, the profile) names one it cannot see. It is
// told apart from a 403 for a missing permission by asking the API which organizations the key
// sees, so the hint never says "changes need admin" to someone whose admin key has the wrong org.
type OrgAccessError struct {
	Err     error
	Wanted  string      // the organization the request named
	KeyOrgs []Candidate // the organizations the key belongs to
}

func (e *OrgAccessError) Error() string { return e.Err.Error() }
func (e *OrgAccessError) Unwrap() error { return e.Err }

func (e *OrgAccessError) hints() []string {
	var belongs string
	switch len(e.KeyOrgs) {
	case 0:
		belongs = "this key belongs to no organization it can list"
	case 1:
		belongs = "this key belongs to organization " + describeOrg(e.KeyOrgs[0])
	default:
		names := make([]string, len(e.KeyOrgs))
		for i, o := range e.KeyOrgs {
			names[i] = describeOrg(o)
		}
		belongs = "this key belongs to organizations " + strings.Join(names, ", ")
	}
	return []string{
		fmt.Sprintf("%s; it cannot see %s", belongs, e.Wanted),
		"the organization comes from --org, CLICKHOUSE_ORG_ID or the profile ('chcloud auth status' shows which): " +
			"leave it unset to use the key's own, or use a key of " + e.Wanted,
	}
}

func describeOrg(o Candidate) string {
	if o.Name == "" {
		return o.ID
	}
	return fmt.Sprintf("%s (%s)", o.ID, o.Name)
}

// ExplainError adds to an error a command ended with what only another request can tell. Today
// that is one case: a 403 on /v1/organizations/ORG/..., where it asks which organizations the
// key sees and, when ORG is not one of them, returns an *OrgAccessError naming them. Any other
// error, or a lookup that fails, comes back unchanged.
func (f *Factory) ExplainError(ctx context.Context, err error) error {
	var apiErr *cloud.APIError
	if err == nil || !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden {
		return err
	}
	var done *OrgAccessError
	if errors.As(err, &done) {
		return err
	}
	wanted := orgInURL(apiErr.URL)
	if wanted == "" || f.DryRun {
		return err
	}
	c, cerr := f.Client()
	if cerr != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, explainTimeout)
	defer cancel()
	var orgs []struct{ ID, Name string }
	if lerr := Lookup(&orgs)(c.OrganizationGetListWithResponse(ctx)); lerr != nil {
		return err
	}
	keyOrgs := make([]Candidate, 0, len(orgs))
	for _, o := range orgs {
		if o.ID == wanted {
			return err // the key sees it: the 403 is about a permission
		}
		keyOrgs = append(keyOrgs, Candidate{ID: o.ID, Name: o.Name})
	}
	return &OrgAccessError{Err: err, Wanted: wanted, KeyOrgs: keyOrgs}
}

// orgInURL returns ORG from a request URL .../v1/organizations/ORG[/...], or "".
func orgInURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "organizations" {
			org, err := url.PathUnescape(parts[i+1])
			if err != nil {
				return ""
			}
			return org
		}
	}
	return ""
}

// ExplainErrors makes every command under cmd pass the error it ends with through ExplainError.
// A noun calls it on its own tree; calling it again, or on an error already explained, is
// harmless.
func (f *Factory) ExplainErrors(cmd *cobra.Command) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			err := run(c, args)
			if err == nil {
				return nil
			}
			ctx := c.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			return f.ExplainError(ctx, err)
		}
	}
	for _, sub := range cmd.Commands() {
		f.ExplainErrors(sub)
	}
}
