// Package cloud is the Go SDK for the ClickHouse Cloud management API.
//
// New returns a Client that embeds the generated client (package gen/cloudapi), so every
// operation of the API is a method, and adds what the API leaves to its callers:
//
//   - authentication with an API key (CLICKHOUSE_CLOUD_API_KEY / CLICKHOUSE_CLOUD_API_SECRET),
//   - a client-side rate limiter that follows the budget the server announces
//     (X-RateLimit-Limit, -Remaining, -Reset, -Policy such as 40;w=10), up or down: a request
//     leaves only while the window's remaining budget, minus this client's requests in flight,
//     is positive, else it waits for the reset, so goroutines sharing a Client never turn the
//     end of a window into a 429 storm and retries never borrow from later windows. Until the
//     first answer (and with a server that announces nothing) it assumes WithRateLimit's
//     budget, 10 per 10 s by default,
//   - retries: 429 after the reset the server names, 5xx and connection errors for idempotent
//     methods (POST and PATCH only under AllowRetryOnWrite), never 401, 403 or other 4xx,
//   - debug logging through log/slog with secrets redacted (package cloud/redact),
//   - tolerant decoding: a number where the document declares a string is quoted before the
//     generated types see it; nulls, unknown enum values, extra and missing fields decode as is;
//     any other value the generated type at its position cannot take (a createdAt that is not
//     RFC 3339, a string where a number is declared, an object where a list is) is replaced by
//     null, so one bad value never loses a whole answer. The field keeps its zero value, the
//     call succeeds, and DecodeWarnings(resp) lists what was dropped (JSON path, declared and
//     sent kind, never the value); a logger given to WithLogger also gets a warning record,
//   - typed errors: every non-2xx answer becomes an *APIError (IsNotFound, IsConflict,
//     IsRateLimited, IsUnauthorized, IsForbidden, IsRouteNotFound), whatever its body: plain
//     text or HTML labelled JSON, truncated JSON or another shape than the document's give the
//     status, a code (from the body, else from the status), the server's text as the message,
//     and the raw body in APIError.Body, through Result and Check; the generated methods do not
//     fail on such bodies either (see OriginalContentType),
//   - Result and Check, which turn a generated <Operation>WithResponse answer into its typed
//     result or an error, so callers never test JSON200 for nil; Result's type is inferred from
//     the response (cloud.Result(c.InstanceGetWithResponse(...)) is a *cloudapi.Service), so a
//     wrong one does not compile,
//   - waiters and lifecycles for the API's asynchronous work (WaitForServiceState,
//     StartService, StopService, WakeService, DeleteService, WaitForClickPipeState,
//     WaitForPostgresState) and iterators over cursor-paginated lists (Paginate, UDFs).
//     Waiters read the same budget as the limiter: while other clients of the key leave it
//     mostly free they poll every 2 s; the more the others use, the closer they come to an
//     economical schedule (a fifth of the time waited), never taking what the others need
//     before the window resets (see DefaultMinPollInterval),
//   - API key rotation and audit, which the API leaves to its callers: RotateKey replaces a key
//     without leaving its users without a working one (the new key gets the old one's roles and
//     IP access list, is proven to work and saved before the old key is disabled or deleted; a
//     failed step says what became of both keys), and AuditKeys judges the organization's keys
//     by KeyAuditRules (expiry, use, admin roles, addresses).
//
// The transport is a chain of small http.RoundTrippers, outermost first: tolerant decoding,
// retries (which also read every body in full, so a truncated answer is retried like a broken
// connection), rate limiting, logging (one record per attempt), then the caller's transport.
package cloud
