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
	// economical ignores what the client knows of the key's budget and keeps the schedule of
	// SDK 0.1 (a fifth of the time waited); benchmarks compare the two.
	economical bool
}

// Default poll spacing. Polls spend the same request budget as every other call, so how often
// a wait polls depends on how much of the key's budget is free:
//
//   - When the answers announce the budget (X-RateLimit-Limit, -Remaining, -Reset) and other
//     clients of the key use little of it, a wait polls every DefaultMinPollInterval (2 s), so
//     a change is noticed about 1 s after it happens (2 s at worst) however long the wait.
//     That costs 5 of the documented 10 requests per 10 s; a wait never plans to use more than
//     half of what the other clients leave.
//   - The more of the budget other clients use (what the server counted beyond this client's
//     own requests), the closer the spacing moves to the economical schedule: a fifth of the
//     time already waited, between the bounds. From 80% used by others on it is that schedule,
//     and never faster than half of the free budget allows. A poll that would take budget the
//     others are expected to need before the window resets waits for the reset, so a wait
//     does not push the key into 429.
//   - When the server announces nothing, the economical schedule: a change is noticed within
//     max(2 s, 20% of the total wait), and a 30-minute provisioning costs about 35 polls.
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
// DefaultMaxPollInterval): with the budget free a wait polls every minInterval, else up to a
// fifth of the time it has waited, within the bounds. WithPollInterval(d, d) polls at a fixed
// interval d, unless the key's budget is so busy that d would take what other clients need.
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

// withEconomicalSchedule keeps the poll schedule of SDK 0.1 whatever the budget looks like;
// benchmarks compare the two.
func withEconomicalSchedule() WaitOption { return func(c *waitConfig) { c.economical = true } }

func newWaitConfig(opts []WaitOption) waitConfig {
	cfg := waitConfig{minPoll: DefaultMinPollInterval, maxPoll: DefaultMaxPollInterval}
	for _, opt := range opts {
		opt(&cfg)
	}
	cfg.maxPoll = max(cfg.maxPoll, cfg.minPoll)
	return cfg
}

// pollInterval is the economical wait before the next poll after having waited elapsed.
func (c waitConfig) pollInterval(elapsed time.Duration) time.Duration {
	return min(max(elapsed/5, c.minPoll), c.maxPoll)
}

// pollShare is the part of the budget other clients leave free that a wait plans to use.
const pollShare = 0.5

// budgetInterval is the wait before the next poll given what the budget looks like (see the
// comment on DefaultMinPollInterval).
func (c waitConfig) budgetInterval(elapsed time.Duration, v budgetView) time.Duration {
	economical := c.pollInterval(elapsed)
	if !v.announced || v.limit <= 0 || v.window <= 0 {
		return economical
	}
	used := v.others / float64(v.limit)
	// 0 while others use at most 20% of the budget, 1 from 80% on.
	pressure := min(max((used-0.2)/0.6, 0), 1)
	interval := c.minPoll + time.Duration(pressure*float64(economical-c.minPoll))
	free := max(float64(v.limit)-v.others, 0.5)
	floor := time.Duration(float64(v.window) / (pollShare * free))
	return max(interval, floor)
}

// nextPoll is how long to wait before the next poll.
func (c *Client) nextPoll(cfg waitConfig, elapsed time.Duration) time.Duration {
	if cfg.economical || c.budget == nil {
		return cfg.pollInterval(elapsed)
	}
	return cfg.budgetInterval(elapsed, c.budget.view())
}

// holdPoll is how long a poll due now should still wait so as not to take the budget other
// clients are expected to need before the window resets.
func (c *Client) holdPoll(cfg waitConfig) time.Duration {
	if cfg.economical || c.budget == nil {
		return 0
	}
	return c.budget.view().holdFor
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
		err = c.clock.Sleep(ctx, c.nextPoll(cfg, elapsed))
		if hold := c.holdPoll(cfg); err == nil && hold > 0 {
			err = c.clock.Sleep(ctx, hold)
		}
		if err != nil {
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
