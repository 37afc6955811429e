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
// gateway's HTML 404, as with the real service.
//
// The fake keeps state in memory for the organization, its activities, API keys, members,
// invitations and roles, services (with their lifecycle: provisioning -> running, stop/start/
// awake through the transitional states, idling, DELETE answering 409 until the service has
// been stopped for a while, then terminating -> 404), backups and backup configuration,
// ClickPipes (creation needs a running service: 424 FAILED_DEPENDENCY otherwise) and Postgres
// services. Every other operation answers with a value synthesized from its documented schema:
// deterministic for a seed, valid against the document, with UUIDs, enum members and RFC 3339
// timestamps where the schema asks for them.
//
// Real-world behaviours are switchable: the fixed-window rate limit (WithRateLimit), injected
// faults (WithFault, WithRandomFaults, Server.SetFault), seeded IDs (WithSeed), and time, which
// a test can drive with a ManualClock (WithClock) instead of sleeping. Every answer carries the
// header X-Chcloud-Fake: <Version>, so a recording made against the fake can never be mistaken
// for one made against the real API.
//
// The same server runs as a process with `chcloud mock serve`.
package cloudtest
