package cloud

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CodeRouteNotFound is the Code of an APIError for the gateway's HTML 404 page: the URL names no
// route of the API (a wrong base URL, or an operation the server does not have), which is not the
// same as a JSON 404 saying that a resource does not exist.
const CodeRouteNotFound = "ROUTE_NOT_FOUND"

// APIError is a non-2xx answer of the ClickHouse Cloud API.
type APIError struct {
	StatusCode int
	// Code is the upper-case code the API put before the message ("NOT_FOUND", "CONFLICT",
	// "TOO_MANY_REQUESTS"...), derived from the status when the body has none, or
	// CodeRouteNotFound for the gateway's HTML 404.
	Code      string
	Message   string
	RequestID string
	// Body is the raw response body.
	Body   []byte
	Method string
	URL    string
	// RetryAfter is how long the server asked the client to wait: Retry-After on any answer,
	// or for a 429 the rate-limit window's X-RateLimit-Reset. Zero when it did not ask. (The
	// real API announces its window on every answer, 401s included; that is not a request to
	// wait, and a 401 must not be retried.)
	RetryAfter time.Duration
	// Extra holds the body's properties beyond status, requestId and error, such as the
	// code, serviceState and canWake of UDF 424 answers.
	Extra map[string]json.RawMessage
	// Attempts is how many times the SDK sent the request before it gave up with this answer,
	// 0 when it was sent once or the count is unknown (an answer parsed by ParseAPIError, which
	// sees only the status, header and body).
	Attempts int
}

// Error reads like "CONFLICT: service is not stopped (status 409, request id 4c0e...)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	fmt.Fprintf(&b, " (status %d", e.StatusCode)
	if e.RequestID != "" {
		b.WriteString(", request id ")
		b.WriteString(e.RequestID)
	}
	b.WriteByte(')')
	return b.String()
}

// ParseAPIError turns a non-2xx answer into an *APIError. It never fails: any body (JSON error
// envelope, a bare {"error":"CODE"}, HTML, text, nothing) gives a usable error.
func ParseAPIError(status int, header http.Header, body []byte) *APIError {
	e := &APIError{StatusCode: status, Body: body}
	if header != nil {
		if status == http.StatusTooManyRequests || header.Get("Retry-After") != "" {
			e.RetryAfter = retryAfter(header, time.Now())
		}
		e.RequestID = header.Get("X-Request-Id")
	}
	trimmed := bytes.TrimSpace(body)
	switch {
	case isHTML(header, trimmed):
		e.Message = htmlMessage(status)
		if status == http.StatusNotFound {
			e.Code = CodeRouteNotFound
		}
	case len(trimmed) > 0 && trimmed[0] == '{':
		e.parseEnvelope(trimmed)
	case len(trimmed) > 0:
		e.Message = shorten(string(trimmed))
	}
	if e.Code == "" {
		e.Code = codeForStatus(status)
	}
	return e
}

// ParseResponseError is ParseAPIError for an answer of a Client: it also names the request
// (method and redacted URL) and, when the retry transport gave up with this answer, says how
// many times the request was sent. resp is the *http.Response a generated <Operation>WithResponse
// method returned in HTTPResponse, or one returned by Client.HTTPClient(); body is its body,
// read in full (the answer may already be closed).
func ParseResponseError(resp *http.Response, body []byte) *APIError {
	e := ParseAPIError(resp.StatusCode, resp.Header, body)
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.URL = resp.Request.URL.Redacted()
	}
	if b, ok := resp.Body.(*bufferedBody); ok {
		e.Attempts = b.attempts
	}
	return e
}

func (e *APIError) parseEnvelope(body []byte) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		e.Message = shorten(string(body))
		return
	}
	for name, raw := range fields {
		switch name {
		case "status":
		case "requestId":
			if s, ok := jsonString(raw); ok {
				e.RequestID = s
			}
		case "error", "message":
			if e.Message != "" && name == "message" {
				continue
			}
			e.setErrorValue(raw)
		default:
			if e.Extra == nil {
				e.Extra = map[string]json.RawMessage{}
			}
			e.Extra[name] = raw
		}
	}
}

// setErrorValue reads "error": usually "CODE: message" or just "CODE", sometimes plain text,
// and tolerated as an object {code, message}.
func (e *APIError) setErrorValue(raw json.RawMessage) {
	if s, ok := jsonString(raw); ok {
		e.Code, e.Message = splitCode(s)
		return
	}
	var obj struct {
		Code    any    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &obj) == nil && (obj.Code != nil || obj.Message != "") {
		if obj.Code != nil {
			e.Code = strings.ToUpper(fmt.Sprint(obj.Code))
		}
		e.Message = obj.Message
		return
	}
	e.Message = shorten(string(raw))
}

// splitCode splits "CONFLICT: message" into its code and message. Text without an upper-case
// code prefix is all message.
func splitCode(s string) (code, message string) {
	head, rest, found := strings.Cut(s, ":")
	if isCode(head) {
		return head, strings.TrimSpace(rest)
	}
	if !found && isCode(strings.TrimSpace(s)) {
		return strings.TrimSpace(s), ""
	}
	return "", s
}

func isCode(s string) bool {
	if len(s) < 2 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && r != '_' && (r < '0' || r > '9') {
			return false
		}
	}
	return s[0] >= 'A' && s[0] <= 'Z'
}

func jsonString(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func isHTML(header http.Header, body []byte) bool {
	if header != nil && strings.Contains(strings.ToLower(header.Get("Content-Type")), "text/html") {
		return true
	}
	lower := bytes.ToLower(body[:min(len(body), 64)])
	return bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html"))
}

func htmlMessage(status int) string {
	if status == http.StatusNotFound {
		return "no such route: the gateway answered with its HTML 404 page (check the base URL and the operation)"
	}
	return "the gateway answered with an HTML page instead of the API's JSON"
}

// shorten keeps error messages from non-JSON bodies readable.
func shorten(s string) string {
	const max = 300
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

var statusCodes = map[int]string{
	400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
	409: "CONFLICT", 410: "GONE", 422: "UNPROCESSABLE_ENTITY", 424: "FAILED_DEPENDENCY", 429: "TOO_MANY_REQUESTS",
	500: "INTERNAL_SERVER_ERROR", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT",
}

func codeForStatus(status int) string {
	if code, ok := statusCodes[status]; ok {
		return code
	}
	if text := http.StatusText(status); text != "" {
		return strings.ToUpper(strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(text))
	}
	return "HTTP_" + strconv.Itoa(status)
}

// retryAfter reads how long the server asks to wait: Retry-After (seconds or an HTTP date), or
// else X-RateLimit-Reset (seconds until the window resets, possibly fractional).
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			return secondsToDuration(secs)
		}
		if t, err := http.ParseTime(v); err == nil && t.After(now) {
			return t.Sub(now)
		}
	}
	if d, ok := rateLimitReset(h); ok {
		return d
	}
	return 0
}

func rateLimitReset(h http.Header) (time.Duration, bool) {
	v := h.Get("X-RateLimit-Reset")
	if v == "" {
		return 0, false
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || secs < 0 {
		return 0, false
	}
	// A value that looks like a Unix timestamp is not "seconds until": ignore it rather than
	// wait for decades.
	if secs > 24*3600 {
		return 0, false
	}
	return secondsToDuration(secs), true
}

func secondsToDuration(secs float64) time.Duration {
	const maxWait = 24 * time.Hour
	if secs*float64(time.Second) > float64(maxWait) {
		return maxWait
	}
	return time.Duration(secs * float64(time.Second))
}

func asAPIError(err error) (*APIError, bool) {
	var apiErr *APIError
	ok := errors.As(err, &apiErr)
	return apiErr, ok
}

func hasStatus(err error, status int) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == status
}

// IsNotFound reports whether err is a JSON 404: the resource does not exist. The gateway's HTML
// 404 for an unknown route is not "not found" (see IsRouteNotFound).
func IsNotFound(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusNotFound && e.Code != CodeRouteNotFound
}

// IsRouteNotFound reports whether err is the gateway's HTML 404: the URL is not a route of the API.
func IsRouteNotFound(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.Code == CodeRouteNotFound
}

// IsConflict reports whether err is a 409, such as deleting a service that is not stopped yet.
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }

// IsRateLimited reports whether err is a 429 that retries did not get past.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

// IsUnauthorized reports whether err is a 401: the key is missing, unknown or expired.
func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }

// IsForbidden reports whether err is a 403: the key lacks the role for the operation.
func IsForbidden(err error) bool { return hasStatus(err, http.StatusForbidden) }
