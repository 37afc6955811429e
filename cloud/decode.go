package cloud

import (
	"net/http"
	"strings"
)

// Tolerant decoding.
//
// The generated types already accept what encoding/json forgives: a null in a field the document
// calls non-nullable (the field keeps its zero value), an enum value the document does not list
// (enums are string types), an undeclared field (ignored) and a missing one (zero). What breaks
// decoding is a JSON number where the document declares a string, which the real service sends
// (ClickHouse setting values, for one): json.Unmarshal then fails the whole response.
//
// tolerantTransport repairs exactly that before the generated parser sees the body: for the
// operation and status of each JSON answer it takes the declared response schema from the
// published document, and quotes every number that sits where only a string is allowed. Nothing
// else in the body changes. A cheap scan decides first whether any number could be in such a
// place, so ordinary answers pass through with one pass over their bytes and no allocation.

// tolerantTransport quotes numbers that the operation's response schema declares as strings.
type tolerantTransport struct {
	next     http.RoundTripper
	basePath string // path prefix of the base URL, stripped before matching operations
}

func (t *tolerantTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return resp, err
	}
	shape := responseShapeFor(req.Method, strings.TrimPrefix(req.URL.Path, t.basePath), resp.StatusCode)
	if shape == nil {
		return resp, nil
	}
	body, ok := resp.Body.(*bufferedBody)
	if !ok {
		if err := bufferBody(resp); err != nil {
			return nil, err
		}
		body = resp.Body.(*bufferedBody)
	}
	if fixed, changed := shape.normalize(body.data); changed {
		setBufferedBody(resp, fixed)
	}
	return resp, nil
}
