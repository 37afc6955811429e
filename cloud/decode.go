package cloud

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"

	"github.com/chcloud-dev/chcloud/cloud/redact"
)

// Tolerant decoding.
//
// The generated types already accept what encoding/json forgives: a null in a field the document
// calls non-nullable (the field keeps its zero value), an enum value the document does not list
// (enums are string types), an undeclared field (ignored) and a missing one (zero). What breaks
// decoding is a value of another kind than the generated type at its position: a JSON number
// where the document declares a string, which the real service sends (ClickHouse setting
// values, for one), a createdAt that is not RFC 3339, a string where a number is declared...
// json.Unmarshal then fails the whole response, one bad element losing a whole list.
//
// tolerantTransport repairs that before the generated parser sees the body: for the operation
// and status of each JSON answer it takes the declared response schema from the published
// document (compiled by go generate into schema.gen.go, see cloud/internal/schemagen), quotes
// every number that sits where only a string is allowed, and replaces by null every other value the generated type there cannot take, recording each (DecodeWarnings).
// Nothing else in the body changes. A cheap scan decides first whether any value could need
// it, so ordinary answers pass through with one pass over their bytes and no allocation.
//
// A 2xx answer with an empty body labelled JSON (some DELETEs) loses its Content-Type, so the
// generated parser leaves it alone: success with nothing to decode.
//
// Error answers (4xx, 5xx) are never rewritten: their raw body is what ParseAPIError reads.
// When one would not decode into the generated error type (plain text or HTML labelled JSON,
// truncated JSON, an object where the document declares the error string...), the transport
// relabels it text/plain (the original in OriginalContentType), so that the generated
// parser leaves it alone instead of failing, and Result and Check make it an *APIError.

// OriginalContentType returns the Content-Type the server gave an answer whose label the SDK
// changed (an error answer the generated parser could not have decoded, relabelled text/plain;
// an empty success body labelled JSON, unlabelled), and "" for an answer it left alone. It is
// kept with the answer's body, not in a header the server never sent.
func OriginalContentType(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	if b, ok := resp.Body.(*bufferedBody); ok {
		return b.contentType
	}
	return ""
}

// tolerantTransport makes JSON answers decodable by the generated types (see above).
type tolerantTransport struct {
	next     http.RoundTripper
	basePath string // escaped path prefix of the base URL, stripped before matching operations
	logger   *slog.Logger
}

func (t *tolerantTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	contentType := resp.Header.Get("Content-Type")
	if !strings.Contains(contentType, "json") {
		return resp, nil
	}
	shape := responseShapeFor(req.Method, strings.TrimPrefix(req.URL.EscapedPath(), t.basePath), resp.StatusCode)
	if shape == nil && resp.StatusCode >= 300 {
		return resp, nil
	}
	body, ok := resp.Body.(*bufferedBody)
	if !ok {
		if err := bufferBody(resp); err != nil {
			return nil, err
		}
		body = resp.Body.(*bufferedBody)
	}
	if resp.StatusCode < 300 && len(bytes.TrimSpace(body.data)) == 0 {
		// The real API answers some DELETEs with an empty body labelled JSON: success with
		// nothing to decode, which the generated parser would fail on.
		body.contentType = contentType
		resp.Header.Del("Content-Type")
		return resp, nil
	}
	if shape == nil {
		return resp, nil
	}
	if resp.StatusCode >= 400 {
		if !shape.fits(body.data) {
			body.contentType = contentType
			resp.Header.Set("Content-Type", "text/plain; charset=utf-8")
		}
		return resp, nil
	}
	fixed, changed, dropped := shape.normalize(body.data)
	if changed {
		setBufferedBody(resp, fixed)
		resp.Body.(*bufferedBody).dropped = dropped
	}
	if len(dropped) > 0 && t.logger != nil && t.logger.Enabled(req.Context(), slog.LevelWarn) {
		paths := make([]string, len(dropped))
		for i, d := range dropped {
			paths[i] = d.String()
		}
		t.logger.LogAttrs(req.Context(), slog.LevelWarn, "cloud: dropped answer values the generated types cannot hold",
			slog.String("method", req.Method), slog.String("url", redact.URL(req.URL.String())),
			slog.Int("status", resp.StatusCode), slog.Any("dropped", paths))
	}
	return resp, nil
}
