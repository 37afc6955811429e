package cmdutil

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"github.com/chcloud-dev/chcloud/cloud"
)

func apiExitCode(err error) (int, bool) {
	var apiErr *cloud.APIError
	if !errors.As(err, &apiErr) {
		return 0, false
	}
	// The SDK's own mapping (APIError.ExitCode) normally answers first; this is the same rule:
	// 4 when the credentials were rejected (401), 1 for everything else the API refused,
	// including 403 (the key is valid but its role does not allow the call).
	if apiErr.StatusCode == http.StatusUnauthorized {
		return ExitAuth, true
	}
	return ExitError, true
}

// apiHints suggests what to do next for the API errors people hit most.
func apiHints(err error) []string {
	var apiErr *cloud.APIError
	if !errors.As(err, &apiErr) {
		return nil
	}
	switch {
	case apiErr.StatusCode == http.StatusUnauthorized:
		return []string{"the API rejected the key: check the key ID and secret (--api-key/--api-secret, " +
			"CLICKHOUSE_CLOUD_API_KEY/CLICKHOUSE_CLOUD_API_SECRET, or the profile); " +
			"'chcloud auth status' shows which source is used"}
	case apiErr.StatusCode == http.StatusForbidden:
		return []string{"the key is not allowed to do this: changes need a key with the admin role"}
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
		"--api-url, CLICKHOUSE_API_URL or the profile; 'chcloud auth status' shows which is used)"}
}

func apiErrorText(err error) (string, bool) {
	var apiErr *cloud.APIError
	if !errors.As(err, &apiErr) {
		return "", false
	}
	return apiErr.Error(), true
}
