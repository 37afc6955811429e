package cloud

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/chcloud-dev/chcloud/cloud/redact"
)

// ErrInsecureHTTP is matched (errors.Is) by New's error for an http:// base URL whose host is not
// this machine: the key and secret would cross the network in clear. WithInsecureHTTP accepts it.
var ErrInsecureHTTP = errors.New("cloud: plain http:// to another machine would send the API key and secret in clear")

// WithInsecureHTTP lets New accept an http:// base URL whose host is not this machine, sending
// the API key and secret unencrypted to it. Only for a trusted network, such as a test server on
// another container; http:// to loopback (127.0.0.0/8, ::1, localhost) is always accepted.
func WithInsecureHTTP() Option { return func(c *config) { c.insecureHTTP = true } }

// checkTransportSecurity refuses an http:// base URL to another machine unless allowed.
func checkTransportSecurity(base *url.URL, allowInsecure bool) error {
	if base.Scheme != "http" || allowInsecure || plainHTTPIsLocal(base.Hostname()) {
		return nil
	}
	return fmt.Errorf("%w: base URL %s; use https://, or allow it explicitly (cloud.WithInsecureHTTP)",
		ErrInsecureHTTP, redact.URL(base.String()))
}

// plainHTTPIsLocal reports whether credentials sent in clear to host stay on this machine (or go
// nowhere): loopback addresses, localhost and its subdomains (RFC 6761 reserves them for
// loopback), and names under .invalid, which RFC 6761 guarantees never resolve (a client whose
// own transport answers every request, as the conformance suite's decoder does, uses one).
func plainHTTPIsLocal(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || host == "invalid" || strings.HasSuffix(host, ".invalid") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// credentialGuard keeps the client's Authorization header to the origin (scheme, host and port)
// it was given for. net/http copies Authorization onto a redirect to the same host name on
// another port, to a subdomain, and from https to http on the same host; this transport, which
// every hop passes through, removes it there. An Authorization header other than the client's
// own (a caller's request through HTTPClient) is left alone.
type credentialGuard struct {
	next          http.RoundTripper
	origin        string
	authorization string
}

func newCredentialGuard(next http.RoundTripper, base *url.URL, authorization string) *credentialGuard {
	return &credentialGuard{next: next, origin: originOf(base), authorization: authorization}
}

func (g *credentialGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if originOf(req.URL) == g.origin {
		return g.next.RoundTrip(req)
	}
	values := req.Header.Values("Authorization")
	if len(values) != 1 || values[0] != g.authorization {
		return g.next.RoundTrip(req)
	}
	// A RoundTripper must not change the request it is given.
	r := req.Clone(req.Context())
	r.Header.Del("Authorization")
	return g.next.RoundTrip(r)
}

// originOf is scheme://host:port, lower-cased, with the scheme's default port made explicit.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")), port)
}
