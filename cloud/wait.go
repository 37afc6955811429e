package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// WaitOption configures a wait.
type WaitOption func(*waitConfig)

type waitConfig struct {
	progress         func(state string, elapsed time.Duration)
	minPoll, maxPoll time.Duration
}

// Default poll spacing. Polls spend the same request budget as every other call (10 per 10 s per
// key by default), so a wait polls often only at first and then spaces polls to a fifth of the
// time already waited: a change is still noticed within max(2 s, 20% of the total wait), and a
// 30-minute provisioning costs about 35 polls instead of the 360 of a fixed 5 s interval.
const (
	DefaultMinPollInterval = 2 * time.Second
	DefaultMaxPollInterval = 5 * time.Minute
	// maxPollFailures is how many polls in a row may fail (5xx, 429 or connection errors
	// that outlasted the retries) before the wait gives up.
	maxPollFailures = 5
)

// WithProgress calls fn after every poll with the state seen (empty after a failed poll) and the
// time waited so far.
func WithProgress(fn func(state string, elapsed time.Duration)) WaitOption {
	return func(c *waitConfig) { c.progress = fn }
}

// WithPollInterval bounds the spacing of polls (defaults DefaultMinPollInterval and
// DefaultMaxPollInterval). Between the bounds a wait polls every fifth of the time it has
// waited; WithPollInterval(d, d) polls at a fixed interval d.
func WithPollInterval(minInterval, maxInterval time.Duration) WaitOption {
	return func(c *waitConfig) {
		if minInterval > 0 {
			c.minPoll = minInterval
		}
		if maxInterval > 0 {
			c.maxPoll = maxInterval
		}
	}
}

func newWaitConfig(opts []WaitOption) waitConfig {
	cfg := waitConfig{minPoll: DefaultMinPollInterval, maxPoll: DefaultMaxPollInterval}
	for _, opt := range opts {
		opt(&cfg)
	}
	cfg.maxPoll = max(cfg.maxPoll, cfg.minPoll)
	return cfg
}

// pollInterval is the wait before the next poll after having waited elapsed.
func (c waitConfig) pollInterval(elapsed time.Duration) time.Duration {
	return min(max(elapsed/5, c.minPoll), c.maxPoll)
}

// StateError ends a wait when the resource reached a state it will not leave by itself (failed,
// degraded...) or disappeared.
type StateError struct {
	Resource string // "service", "ClickPipe", "Postgres service"
	ID       string
	State    string   // the state reached; "deleted" when the resource is gone
	Want     []string // the states the wait was for
}

func (e *StateError) Error() string {
	return fmt.Sprintf("cloud: %s %s is %s, waited for %s", e.Resource, e.ID, e.State, strings.Join(e.Want, " or "))
}

// poller is one kind of resource whose state can be waited for.
type poller struct {
	resource string
	id       string
	want     []string
	failed   []string // states that end the wait with a StateError unless wanted
	// get reads the current state; a JSON 404 comes back as an *APIError.
	get func(ctx context.Context) (string, error)
	// goneIsDone makes a 404 the end of the wait, for deletions.
	goneIsDone bool
}

// waitFor polls p until its state is one of p.want, a failure state, ctx is done, or polls keep
// failing. It returns the last state seen.
func (c *Client) waitFor(ctx context.Context, p poller, opts []WaitOption) (string, error) {
	cfg := newWaitConfig(opts)
	start := c.clock.Now()
	failures := 0
	for {
		state, err := p.get(ctx)
		elapsed := c.clock.Now().Sub(start)
		if cfg.progress != nil {
			cfg.progress(state, elapsed)
		}
		switch {
		case err == nil:
			failures = 0
			if slices.Contains(p.want, state) {
				return state, nil
			}
			if slices.Contains(p.failed, state) {
				return state, &StateError{Resource: p.resource, ID: p.id, State: state, Want: p.want}
			}
		case IsNotFound(err) && p.goneIsDone:
			return "", nil
		case IsNotFound(err):
			return "", &StateError{Resource: p.resource, ID: p.id, State: "deleted", Want: p.want}
		case ctx.Err() != nil:
			return "", fmt.Errorf("cloud: waiting for %s %s to be %s: %w", p.resource, p.id, strings.Join(p.want, " or "), context.Cause(ctx))
		case transient(err):
			failures++
			if failures >= maxPollFailures {
				return "", fmt.Errorf("cloud: waiting for %s %s: %d polls in a row failed: %w", p.resource, p.id, failures, err)
			}
		default:
			return "", fmt.Errorf("cloud: waiting for %s %s: %w", p.resource, p.id, err)
		}
		if err := c.clock.Sleep(ctx, cfg.pollInterval(elapsed)); err != nil {
			return state, fmt.Errorf("cloud: waiting for %s %s to be %s (last state %q after %s): %w",
				p.resource, p.id, strings.Join(p.want, " or "), state, elapsed.Round(time.Second), context.Cause(ctx))
		}
	}
}

// transient reports whether a failed poll is worth repeating: server errors, rate limiting that
// outlasted the retries, and errors that never got an answer (connection, timeout).
func transient(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= 500 || apiErr.StatusCode == http.StatusTooManyRequests
	}
	var decodeErr *DecodeError
	return !errors.As(err, &decodeErr)
}

func stateStrings[S ~string](states []S) []string {
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = string(s)
	}
	return out
}
