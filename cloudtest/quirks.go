package cloudtest

import (
	"bytes"
	"fmt"
	"math/bits"
	"net/http"
	"strings"
)

// Quirks is a set of the real API's behaviours that its published document does not describe
// (docs/api-behaviour.md). Each one is deterministic: the same requests get the same answers, so
// that cassettes recorded against the fake are stable. Turn them on or off with WithQuirks.
//
// With every quirk off the fake answers as the document says, as far as a working server can:
// 401 for bad credentials, 403 for a foreign organization or a read-only key, 404 for a missing
// resource and the gateway's HTML 404 for a route the document does not have stay in both modes
// (no operation declares them, but no client could work without them).
type Quirks uint32

// The quirks, one per real behaviour. The line above each says what the fake answers with the
// quirk on; the line after "Off:" what it answers instead.
const (
	// QuirkBareTooManyRequests: a request over the rate limit (WithRateLimit) or a 429 Fault gets
	// the body {"error":"TOO_MANY_REQUESTS"}, without status or requestId, as the real API sends.
	// Off: the full error envelope {"status":429,"requestId":...,"error":"TOO_MANY_REQUESTS: ..."}.
	QuirkBareTooManyRequests Quirks = 1 << iota

	// QuirkUnauthorizedWithoutRequestID: an unknown key, a wrong secret, a disabled or expired
	// key get {"error":"UNAUTHORIZED: Key is not found","status":401}, without requestId, as in
	// the real captures (a request without an Authorization header gets a requestId either way).
	// Off: every 401 carries a requestId.
	QuirkUnauthorizedWithoutRequestID

	// QuirkNullReversePrivateEndpoints: a Kafka ClickPipe without reverse private endpoints
	// answers "reversePrivateEndpointIds": null (source.kafka, in clickPipeGetList, clickPipeGet
	// and every answer carrying the pipe), although the document does not declare it nullable.
	// Off: an empty array.
	QuirkNullReversePrivateEndpoints

	// QuirkDeleteShapes: DELETE answers in the three shapes the real API uses, chosen by the API
	// family so that each appears somewhere: ClickPipes and ClickStack (clickPipeDelete,
	// clickPipeReversePrivateEndpointDelete, clickStackDelete*) answer 200 with an empty body
	// (still labelled application/json); Postgres and UDFs (postgresServiceDelete, udfDelete,
	// udfDetach, udfVersionDelete) answer the full envelope with a "result" (the Postgres service
	// being deleted; {} for UDFs); every other DELETE answers {"status":200,"requestId":...}.
	// Off: every DELETE answers {"status":200,"requestId":...}, the documented shape.
	QuirkDeleteShapes

	// QuirkEmptyStateAnswer: PATCH .../services/{id}/state answers a bare {} when the command
	// changes nothing: "start" on a running, starting or awaking service, "stop" on a stopped or
	// stopping one. An idle service still answers its state to "start" (the SDK tells an ignored
	// start from it), and a real change answers the service as documented.
	// Off: the service, in the envelope, for every command.
	QuirkEmptyStateAnswer

	// QuirkDeleteConflict: DELETE of a service that is not stopped, or was stopped less than the
	// delete cooldown ago (WithDeleteCooldown), answers 409 CONFLICT, which instanceDelete does
	// not declare. Off: a service that is not stopped gets 400 BAD_REQUEST (declared), and a
	// stopped one is deleted at once.
	QuirkDeleteConflict

	// QuirkClickPipeFailedDependency: creating a ClickPipe on a service that is not running (idle
	// included) answers 424 "FAILED_DEPENDENCY: ClickPipe creation is allowed only when the
	// ClickHouse service is running. Current state: idle", message only (no "code", unlike the
	// UDF 424s), which clickPipeCreate does not declare. Off: 400 BAD_REQUEST, same message.
	QuirkClickPipeFailedDependency

	// QuirkNumericSettingValues: ClickHouse setting values that are numbers (max_threads,
	// max_memory_usage...) come back as JSON numbers in serviceClickhouseSettingsListGet
	// ($.result.settings[*].value) and serviceClickhouseSettingGet ($.result.value), although
	// the document says "Returned as a string for all setting types". Off: strings.
	QuirkNumericSettingValues

	// QuirkPlainTextAwake: the "awake" command on a service that is not idle answers 400 with the
	// plain-text body "Service must be in idle state to awake", labelled application/json.
	// Off: the service in its current state, unchanged (200, as for any ignored command).
	QuirkPlainTextAwake

	// QuirkCDCSettingsNotFound: clickPipeSettingsGet and clickPipeSettingsUpdate on a CDC
	// (Postgres, MySQL, MongoDB) pipe answer 404 NOT_FOUND, which the document does not declare.
	// Off: 400 BAD_REQUEST, same message.
	QuirkCDCSettingsNotFound

	// QuirkDependentReplica: deleting a Postgres service that still has a read replica
	// (postgresInstanceCreateReadReplica) answers 409 with "code": "DEPENDENT_REPLICA" beside
	// the error. Off: 400 BAD_REQUEST, same message, no code.
	QuirkDependentReplica

	// QuirkClickStackUnknownError: a ClickStack item that was deleted answers a JSON 404 whose
	// message says nothing: "NOT_FOUND: Unknown Error" (get, update and delete of the item).
	// Off: 404 "NOT_FOUND: ClickStack <kind> with id <id> not found", like other missing
	// resources of the fake.
	QuirkClickStackUnknownError

	// QuirkUnknownIDBadRequest: a well-formed backupId that names no backup of the service
	// answers 400 "BAD_REQUEST: Invalid backup id", as the real API answers some unknown ids
	// (others get 404: docs/api-behaviour.md). Off: 404 NOT_FOUND, like every other missing item.
	QuirkUnknownIDBadRequest

	// QuirkForeignOrganizationForbidden: a well-formed organizationId that is not the key's
	// organization answers 403 FORBIDDEN ("The API key does not have access to organization
	// ..."), which most operations do not declare. Off: 404 NOT_FOUND "Organization ... not found".
	QuirkForeignOrganizationForbidden

	quirkEnd // one past the last quirk
)

// AllQuirks is every quirk: the fake as the real API behaves. It is the default.
const AllQuirks = quirkEnd - 1

// NoQuirks is no quirk: the fake as the document describes the API.
const NoQuirks Quirks = 0

var quirkNames = map[Quirks]string{
	QuirkBareTooManyRequests:          "bare-429",
	QuirkUnauthorizedWithoutRequestID: "401-without-request-id",
	QuirkNullReversePrivateEndpoints:  "null-reverse-private-endpoint-ids",
	QuirkDeleteShapes:                 "delete-shapes",
	QuirkEmptyStateAnswer:             "empty-state-answer",
	QuirkDeleteConflict:               "delete-conflict",
	QuirkClickPipeFailedDependency:    "clickpipe-424",
	QuirkNumericSettingValues:         "numeric-setting-values",
	QuirkPlainTextAwake:               "plain-text-awake-400",
	QuirkCDCSettingsNotFound:          "cdc-settings-404",
	QuirkDependentReplica:             "dependent-replica-409",
	QuirkClickStackUnknownError:       "clickstack-unknown-error-404",
	QuirkUnknownIDBadRequest:          "unknown-id-400",
	QuirkForeignOrganizationForbidden: "foreign-organization-403",
}

// Has reports whether every quirk of q2 is in q.
func (q Quirks) Has(q2 Quirks) bool { return q&q2 == q2 }

// String names the quirks of the set, separated by "|" ("none" for the empty set).
func (q Quirks) String() string {
	if q == 0 {
		return "none"
	}
	var names []string
	for rest := q; rest != 0; rest &= rest - 1 {
		bit := Quirks(1) << bits.TrailingZeros32(uint32(rest))
		if name, ok := quirkNames[bit]; ok {
			names = append(names, name)
		} else {
			names = append(names, fmt.Sprintf("0x%x", uint32(bit)))
		}
	}
	return strings.Join(names, "|")
}

// WithQuirks sets the real-API quirks the server reproduces (default AllQuirks). NewServer turns
// them all on because the fake is for testing code that will meet the real API: a client that
// breaks on an empty DELETE body or a 409 after stopping should fail against the fake, not in
// production, and tests written against earlier versions of the fake keep meeting the
// behaviours it always had (bare 429, 401 without requestId, 409 on early delete, 424 on
// ClickPipe create). Pass NoQuirks, or use WithoutQuirks, for a fake that follows the document.
func WithQuirks(q Quirks) Option { return func(c *config) { c.quirks = q & AllQuirks } }

// WithoutQuirks turns every quirk off: the answers are the ones the published document
// describes, which is what a test of a document-driven validator wants.
func WithoutQuirks() Option { return WithQuirks(NoQuirks) }

// quirk reports whether the server reproduces q.
func (s *Server) quirk(q Quirks) bool { return s.cfg.quirks.Has(q) }

// Quirks returns the quirks the server reproduces.
func (s *Server) Quirks() Quirks { return s.cfg.quirks }

// deleteShape is how a DELETE is answered with QuirkDeleteShapes on.
type deleteShape int

const (
	deleteStatusOnly deleteShape = iota // {"status":200,"requestId":...}, as documented
	deleteEmpty                         // no body at all
	deleteFull                          // the envelope with a result
)

// deleteShapeOf chooses the shape by API family: deterministic, and each shape appears.
func deleteShapeOf(opID string) deleteShape {
	switch {
	case strings.HasPrefix(opID, "clickPipe"), strings.HasPrefix(opID, "clickStack"):
		return deleteEmpty
	case opID == "postgresServiceDelete", strings.HasPrefix(opID, "udf"):
		return deleteFull
	}
	return deleteStatusOnly
}

// shapeDelete rewrites a successful DELETE answer into the shape its operation uses on the real
// API. A handler that already answered a result (Postgres) keeps it.
func (q *request) shapeDelete(resp response) response {
	if q.r.Method != http.MethodDelete || resp.status < 200 || resp.status > 299 || !q.s.quirk(QuirkDeleteShapes) {
		return resp
	}
	switch deleteShapeOf(q.route.op.ID) {
	case deleteEmpty:
		resp.body = nil
	case deleteFull:
		if !bytes.Contains(resp.body, []byte(`"result":`)) {
			return q.okRaw([]byte(`{}`))
		}
	}
	return resp
}

// tooManyRequests is the 429 answer: the real API's bare body, or the envelope without quirks.
func (q *request) tooManyRequests() response {
	if q.s.quirk(QuirkBareTooManyRequests) {
		return response{status: http.StatusTooManyRequests, contentType: "application/json", body: []byte(`{"error":"TOO_MANY_REQUESTS"}`)}
	}
	return q.fail(http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "Rate limit exceeded, try again later")
}

// plainText is an answer whose body is text although it is labelled application/json, as the
// real API sends for some 400s.
func plainText(status int, text string) response {
	return response{status: status, contentType: "application/json", body: []byte(text)}
}

// emptyObject is the bare {} some real answers consist of.
func emptyObject() response {
	return response{status: http.StatusOK, contentType: "application/json", body: []byte(`{}`)}
}
