package cloudtest

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// ClickStack items (dashboards, alerts, sources, webhooks, roles, saved searches) are
// synthesized, except that the fake remembers which ones were deleted: reading, changing or
// deleting one of those again answers 404, as a missing item does on the real API.

// clickStackItem handles a request that names a ClickStack item. It answers (done) when the item
// was deleted; otherwise the caller synthesizes the answer, and a successful delete is recorded.
func (q *request) clickStackItem() (resp response, done bool) {
	param, id := q.clickStackParam()
	if param == "" {
		return response{}, false
	}
	key := q.params["serviceId"] + "/" + id
	if q.s.st.clickStackDeleted[key] {
		if q.s.quirk(QuirkClickStackUnknownError) {
			return q.fail(http.StatusNotFound, "NOT_FOUND", "Unknown Error"), true
		}
		return q.fail(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("ClickStack %s with id %s not found", clickStackKind(param), id)), true
	}
	if q.r.Method != http.MethodDelete {
		return response{}, false
	}
	resp = q.synthesized()
	if resp.status >= 200 && resp.status <= 299 {
		q.s.st.clickStackDeleted[key] = true
	}
	return resp, true
}

// clickStackParam returns the name and value of the path parameter naming a ClickStack item
// (clickStackDashboardId...), or "" when the operation addresses none.
func (q *request) clickStackParam() (string, string) {
	if !strings.HasPrefix(q.route.op.ID, "clickStack") {
		return "", ""
	}
	for _, name := range q.route.params {
		if strings.HasPrefix(name, "clickStack") && strings.HasSuffix(name, "Id") {
			return name, q.params[name]
		}
	}
	return "", ""
}

// clickStackKind names the item of a parameter: clickStackSavedSearchId -> "saved search".
func clickStackKind(param string) string {
	name := strings.TrimSuffix(strings.TrimPrefix(param, "clickStack"), "Id")
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte(' ')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
