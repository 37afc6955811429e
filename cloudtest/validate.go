package cloudtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// validateRequest checks a request against its operation in the published document and returns
// an error whose text reads like the real API's BAD_REQUEST messages.
func validateRequest(r *http.Request, body []byte, rt *route, params map[string]string) error {
	clone := r.Clone(r.Context())
	clone.Body = io.NopCloser(bytes.NewReader(body))
	clone.ContentLength = int64(len(body))
	if len(bytes.TrimSpace(body)) == 0 {
		clone.Body = http.NoBody
		clone.ContentLength = 0
	}
	if len(body) > 0 && clone.Header.Get("Content-Type") == "" {
		clone.Header = clone.Header.Clone()
		clone.Header.Set("Content-Type", "application/json")
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    clone,
		PathParams: params,
		Route:      rt.kin,
		Options:    requestOptions,
	}
	err := openapi3filter.ValidateRequest(context.Background(), input)
	if err == nil {
		return nil
	}
	return errors.New(describeRequestError(err))
}

var requestOptions = &openapi3filter.Options{
	AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc, // the server checks keys itself
	SkipSettingDefaults:     true,
	SchemaValidationOptions: validationOptions(),
}

// describeRequestError turns a kin-openapi error into "where: what", e.g.
// "request body.numReplicas: number must be at most 20" or "Invalid serviceId: ...".
func describeRequestError(err error) string {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return err.Error()
	}
	reason := re.Reason
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		reason = se.Reason
		if ptr := se.JSONPointer(); len(ptr) > 0 && re.RequestBody != nil {
			return fmt.Sprintf("request body.%s: %s", strings.Join(ptr, "."), reason)
		}
	} else if re.Err != nil {
		if reason == "" {
			reason = re.Err.Error()
		} else {
			reason += ": " + re.Err.Error()
		}
	}
	reason = conciseReason(reason)
	switch {
	case re.Parameter != nil && re.Parameter.In == openapi3.ParameterInPath:
		return fmt.Sprintf("Invalid %s: %s", re.Parameter.Name, reason)
	case re.Parameter != nil:
		return fmt.Sprintf("Invalid %s parameter %s: %s", re.Parameter.In, re.Parameter.Name, reason)
	case re.RequestBody != nil:
		return "request body: " + reason
	}
	return reason
}

// conciseReason keeps the informative last line of kin-openapi's multi-line JSON Schema
// messages (the line after "- at", e.g. "'x' is not valid uuid") and drops repeated clauses.
func conciseReason(reason string) string {
	lines := strings.Split(strings.TrimSpace(reason), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if _, after, ok := strings.Cut(last, "- at '"); ok {
		if _, msg, ok := strings.Cut(after, "': "); ok {
			last = msg
		}
	}
	if a, b, ok := strings.Cut(last, ": "); ok && a == b {
		last = a
	}
	return last
}
