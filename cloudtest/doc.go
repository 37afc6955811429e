// Package cloudtest is a fake ClickHouse Cloud management API server for tests and demos, in
// the spirit of net/http/httptest and stripe-mock.
//
// One line starts it on a random loopback port; point any client (the SDK in package cloud,
// the generated client in gen/cloudapi, the CLI, curl) at its URL with its credentials:
//
//	srv := cloudtest.NewServer()
//	defer srv.Close()
//	// srv.URL, srv.KeyID, srv.KeySecret, srv.OrganizationID
//
// Every operation of the published OpenAPI document (package spec) is routed. Requests are
// checked against the document (400 BAD_REQUEST with the real error envelope), credentials
// against the server's keys (401 shaped like the real captures), and an unknown route gets the
// gateway's HTML "Cannot GET ..." 404, as with the real service.
//
// The real API answers in ways its document does not describe, and the fake does too: these
// quirks (type Quirks) are all on by default, so that a client tested against the fake meets
// them before production. They are: the bare 429 body, 401 without requestId, null
// reversePrivateEndpointIds on Kafka ClickPipes, DELETE answered with an empty body or a full
// envelope depending on the API family, PATCH .../state answered {} when it changes nothing, 409
// on service DELETE until a while after stopping, 424 on ClickPipe create for a service that is
// not running, ClickHouse setting values as JSON numbers, a plain-text 400 for "awake" on a
// service that is not idle, 404 on the settings of CDC ClickPipes, 409 DEPENDENT_REPLICA on
// deleting a Postgres service with a read replica, and 404 "Unknown Error" for a deleted
// ClickStack item. WithoutQuirks (or WithQuirks with a subset) gives a fake that answers as the
// document says, for testing a document-driven validator.
//
// The fake keeps state in memory for the organization, its activities, API keys, members,
// invitations and roles, services (with their lifecycle: provisioning -> running, stop/start/
// awake through the transitional states, idling, DELETE answering 409 until the service has
// been stopped for a while, then terminating -> 404), backups and backup configuration,
// ClickHouse settings, ClickPipes (creation needs a running service: 424 FAILED_DEPENDENCY
// otherwise) and Postgres services with their read replicas. Every other operation answers with a value synthesized from its documented schema:
// deterministic for a seed, valid against the document (quirks aside), with UUIDs, enum members and RFC 3339
// timestamps where the schema asks for them.
//
// API keys do what their roles allow, from the request after a change: Admin (and any custom
// role, whose policies the fake does not evaluate) everything, Service Admin changes to existing
// services, every other role only reads; a change the key may not make gets 403 FORBIDDEN.
// Changing a key's roles (roles or assignedRoleIds) takes effect at once. A disabled key gets
// 401 "Key is disabled", and a key whose expireAt has passed on the server's clock 401 "Key is
// not active". A body that is not a JSON object gets 400 BAD_REQUEST like any other invalid body.
//
// Real-world behaviours are switchable: the fixed-window rate limit (WithRateLimit), injected
// faults (WithFault, WithRandomFaults, Server.SetFault), seeded IDs (WithSeed), and time, which
// a test can drive with a ManualClock (WithClock) instead of sleeping. Every answer carries the
// header X-Chcloud-Fake: <Version>, so a recording made against the fake can never be mistaken
// for one made against the real API.
//
// The same server runs as a process with `chcloud mock serve`.
package cloudtest
