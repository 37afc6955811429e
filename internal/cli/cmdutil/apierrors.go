package cmdutil

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/chcloud-dev/chcloud/cloud"
)

// apiHints suggests what to do next for the API errors people hit most.
func apiHints(err error) []string {
	var apiErr *cloud.APIError
	if !errors.As(err, &apiErr) {
		return nil
	}
	switch {
	case apiErr.StatusCode == http.StatusUnauthorized:
		return unauthorizedHints(apiErr)
	case apiErr.StatusCode == http.StatusForbidden:
		var orgErr *OrgAccessError
		if errors.As(err, &orgErr) {
			return nil // it names the organizations itself
		}
		if org := orgInURL(apiErr.URL); org != "" && strings.Contains(strings.ToLower(apiErr.Message), "organization") {
			// Without the lookup (ExplainError) the API's own words still say which kind of 403.
			return []string{"this key cannot see organization " + org + ": the organization comes from --org, " +
				cloud.EnvOrgID + " or the profile ('chcloud auth status' shows which); leave it unset to use the key's own"}
		}
		return []string{"the key's role does not allow this: changes need a key with the admin role " +
			"(or a role granting it); 'chcloud key get NAME' shows a key's roles"}
	case apiErr.StatusCode == http.StatusTooManyRequests:
		return []string{rateLimitHint(apiErr)}
	case cloud.IsRouteNotFound(err):
		return []string{"the API has no such route (the gateway's HTML 404): check the path, " +
			"or this chcloud may not match the API's current version"}
	case apiErr.StatusCode == http.StatusNotFound:
		return []string{"check the ID: the matching 'list' command shows what exists"}
	}
	return nil
}

// unauthorizedHints reads the API's reason for a 401 ("Key is not found", "Key is disabled",
// "Key is not active") from the message and the raw body, so the hint says what is wrong with
// the key instead of sending the user to re-type a secret that is right.
func unauthorizedHints(apiErr *cloud.APIError) []string {
	const other = "with another admin key, 'chcloud key get NAME' shows its STATE and EXPIRES"
	reason := strings.ToLower(apiErr.Message + " " + string(apiErr.Body))
	switch {
	case strings.Contains(reason, "disabled"):
		return []string{"this API key is disabled: " + other + ", and 'chcloud key enable NAME' enables it " +
			"(or enable it in the ClickHouse Cloud console)"}
	case strings.Contains(reason, "expired"):
		return []string{"this API key has expired: " + other + "; 'chcloud key update NAME --expires 90d' " +
			"extends it, or create a new key"}
	case strings.Contains(reason, "not active"):
		// The API's words for an expired key; it may say the same of a disabled one.
		return []string{"this API key is not active: it has expired (or was disabled); " + other +
			", and 'chcloud key update NAME --expires 90d' or 'chcloud key enable NAME' revives it, or create a new key"}
	}
	return []string{"the API rejected the key: check the key ID and secret (--api-key/--api-secret, " +
		cloud.EnvKeyID + "/" + cloud.EnvKeySecret + ", or the profile); " +
		"'chcloud auth status' shows which source is used"}
}

// rateLimitHint says how often chcloud retried (the SDK counts its attempts) before giving up.
func rateLimitHint(apiErr *cloud.APIError) string {
	const budget = "the API allows about 10 requests per 10 seconds per key, so wait a little and run it again"
	if apiErr.Attempts > 1 {
		return fmt.Sprintf("rate limited: chcloud retried %d times, waiting as the API asked, and gave up; %s",
			apiErr.Attempts-1, budget)
	}
	return "rate limited: " + budget
}

// networkHint explains a failed connection (refused, unreachable, DNS, timeout while dialling):
// an error from the network rather than from the API. It looks for *net.OpError specifically:
// a broader net.Error test also matches file errors (syscall.Errno has Timeout and Temporary).
func networkHint(err error) []string {
	if errors.Is(err, cloud.ErrOutcomeUnknown) {
		// The server was reached; what failed is the answer, and "could not reach" would mislead.
		var settled *lostCreateError
		if errors.As(err, &settled) {
			return nil // the create commands have already looked and said what happened
		}
		return []string{"the request reached the server but its answer was lost: check whether the change " +
			"took effect before running the command again"}
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		return nil
	}
	where := "the server"
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if u, perr := url.Parse(urlErr.URL); perr == nil && u.Host != "" {
			where = u.Host
		}
	}
	return []string{"chcloud could not reach " + where + ": check the URL and the network (the API's URL comes from " +
		"--api-url, " + cloud.EnvBaseURL + " or the profile; 'chcloud auth status' shows which is used)"}
}

func apiErrorText(err error) (string, bool) {
	var apiErr *cloud.APIError
	if !errors.As(err, &apiErr) {
		return "", false
	}
	return apiErr.Error(), true
}
