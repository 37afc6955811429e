package cloudtest

import (
	"log/slog"
	"time"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	seed              int64
	rateLimit         int // requests per window and key; 0 disables rate limiting
	rateWindow        time.Duration
	provisioningDelay time.Duration
	transitionDelay   time.Duration
	deleteCooldown    time.Duration
	idleTimeout       time.Duration
	consistencyDelay  time.Duration
	provisioningFails bool
	clock             Clock
	faults            map[string]Fault
	randomFaultRate   float64
	randomFaultSeed   int64
	logger            *slog.Logger
	quirks            Quirks
}

func defaultConfig() config {
	return config{
		seed:              1,
		rateWindow:        10 * time.Second,
		provisioningDelay: 300 * time.Millisecond,
		transitionDelay:   100 * time.Millisecond,
		deleteCooldown:    200 * time.Millisecond,
		idleTimeout:       15 * time.Minute,
		clock:             realClock{},
		faults:            map[string]Fault{},
		quirks:            AllQuirks,
	}
}

// WithSeed makes every generated value (organization, key and resource IDs, request IDs,
// secrets, passwords, synthesized answers) follow from seed: the same seed and the same
// sequence of requests give the same answers. The default seed is 1. Random faults have their
// own seed (WithRandomFaults).
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithRateLimit turns on the real API's fixed-window rate limit: requests per window and API
// key (the real API allows 10 per 10 s). Answers carry X-RateLimit-Limit, -Remaining and -Reset;
// a request over the limit gets 429 {"error":"TOO_MANY_REQUESTS"} (QuirkBareTooManyRequests).
// Off by default in NewServer
// so that tests are fast; requests <= 0 turns it off.
func WithRateLimit(requests int, window time.Duration) Option {
	return func(c *config) {
		c.rateLimit = max(requests, 0)
		if window > 0 {
			c.rateWindow = window
		}
	}
}

// WithProvisioningDelay sets how long a new service stays "provisioning" before it is "running"
// (default 300ms; 0 makes it running on the next read).
func WithProvisioningDelay(d time.Duration) Option {
	return func(c *config) { c.provisioningDelay = max(d, 0) }
}

// WithTransitionDelay sets how long the transitional states (starting, stopping, awaking,
// terminating, and the ClickPipe and Postgres equivalents) last (default 100ms).
func WithTransitionDelay(d time.Duration) Option {
	return func(c *config) { c.transitionDelay = max(d, 0) }
}

// WithDeleteCooldown sets how long after a service reports "stopped" a DELETE still answers 409
// CONFLICT, as the real API does (default 200ms; only with QuirkDeleteConflict).
func WithDeleteCooldown(d time.Duration) Option {
	return func(c *config) { c.deleteCooldown = max(d, 0) }
}

// WithIdleTimeout sets how long a running service with idle scaling enabled stays running before
// it goes "idle" (default 15 minutes; a service's own idleTimeoutMinutes wins when set).
func WithIdleTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.idleTimeout = d
		}
	}
}

// WithEventualConsistency makes member role changes take d to show, as on the real API
// (about 30 s): the update answers with the old roles, and reads show them until d has passed.
// Off (0) by default.
func WithEventualConsistency(d time.Duration) Option {
	return func(c *config) { c.consistencyDelay = max(d, 0) }
}

// WithProvisioningErrors makes operations on a service's sub-resources (backups, settings,
// ClickPipes...) answer 500 "Internal error" while the service is still provisioning, as the
// real API has been seen to. Off by default.
func WithProvisioningErrors() Option {
	return func(c *config) { c.provisioningFails = true }
}

// WithClock sets the clock the server reads; pass a *ManualClock to drive time from a test.
func WithClock(clock Clock) Option {
	return func(c *config) {
		if clock != nil {
			c.clock = clock
		}
	}
}

// WithFault injects f into every request for the operation operationID (e.g. "instanceGet"),
// or into every operation when operationID is "*".
func WithFault(operationID string, f Fault) Option {
	return func(c *config) { c.faults[operationID] = f }
}

// WithRandomFaults injects a fault (500, 503, dropped connection or truncated body) into a
// fraction rate (0..1) of requests, chosen by a generator seeded with seed.
func WithRandomFaults(rate float64, seed int64) Option {
	return func(c *config) {
		c.randomFaultRate = min(max(rate, 0), 1)
		c.randomFaultSeed = seed
	}
}

// WithLogger logs one line per request (method, path, operation, status; never credentials).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }
