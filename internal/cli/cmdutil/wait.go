package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
)

// DefaultTimeout is how long --wait waits unless --timeout says otherwise. Provisioning takes
// minutes and a restore from backup can take well over 20.
const DefaultTimeout = 30 * time.Minute

// Progress shows a wait's progress on stderr: one line rewritten in place on a terminal, a plain
// line per state change otherwise (for CI logs).
type Progress struct {
	f     *Factory
	label string
	mu    sync.Mutex
	last  string
	shown bool
	start time.Time
}

// NewProgress starts reporting for the named resource, e.g. "service 7f1d...".
func (f *Factory) NewProgress(label string) *Progress {
	return &Progress{f: f, label: label, start: time.Now()}
}

// Update is the cloud.WithProgress callback.
func (p *Progress) Update(state string, elapsed time.Duration) {
	if state == "" {
		return // a poll that failed (and will be retried) says nothing new
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ios := p.f.IOStreams
	elapsed = elapsed.Round(time.Second)
	if ios.IsStderrTTY() {
		fmt.Fprintf(ios.ErrOut, "\r\033[K%s: %s (%s)", p.label, state, elapsed)
		p.shown = true
	} else if state != p.last {
		fmt.Fprintf(ios.ErrOut, "%s: %s (%s)\n", p.label, state, elapsed)
	}
	p.last = state
}

// LastState is the last state reported, or "" if none was.
func (p *Progress) LastState() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

// Done ends the in-place line on a terminal.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprintln(p.f.IOStreams.ErrOut)
		p.shown = false
	}
}

// WaitOptions are the options every waiter gets: progress reporting and the poll interval.
func (f *Factory) WaitOptions(p *Progress) []cloud.WaitOption {
	opts := []cloud.WaitOption{cloud.WithProgress(p.Update)}
	if f.PollInterval > 0 {
		opts = append(opts, cloud.WithPollInterval(f.PollInterval, f.PollInterval))
	}
	return opts
}

// WaitContext bounds a wait by --timeout.
func (f *Factory) WaitContext(ctx context.Context) (context.Context, context.CancelFunc) {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return context.WithTimeoutCause(ctx, timeout, errWaitTimeout)
}

var errWaitTimeout = errors.New("wait timed out")

// Wait runs one --wait on what label names ("service 7f1d..."): it reports progress, bounds the
// wait by --timeout and, when the wait stops early, says what is still going on on the server
// (goal is the state waited for, check the command that shows it; see WaitError). wait gets the
// bounded context and the progress, whose WaitOptions the SDK's waiters take.
func Wait[T any](ctx context.Context, f *Factory, label, goal, check string, wait func(context.Context, *Progress) (T, error)) (T, error) {
	p := f.NewProgress(label)
	wctx, cancel := f.WaitContext(ctx)
	defer cancel()
	v, err := wait(wctx, p)
	p.Done()
	return v, f.WaitError(wctx, err, p, goal, check)
}

// WaitError explains an interrupted or timed-out wait: the operation itself goes on on the server,
// so say what is still in progress and how to look at it.
func (f *Factory) WaitError(ctx context.Context, err error, p *Progress, goal, checkCmd string) error {
	if err == nil {
		return nil
	}
	p.Done()
	state := p.LastState()
	if state == "" {
		state = "in progress"
	}
	elapsed := time.Since(p.start).Round(time.Second)
	switch {
	case errors.Is(context.Cause(ctx), errWaitTimeout):
		return WithHint(fmt.Errorf("timed out after %s waiting for %s to be %s (last state: %s)", elapsed, p.label, goal, state),
			fmt.Sprintf("the operation goes on on the server; check with '%s'", checkCmd))
	case errors.Is(err, context.Canceled):
		return WithHint(fmt.Errorf("stopped waiting after %s: %s is still %s on the server", elapsed, p.label, state),
			fmt.Sprintf("the operation was not cancelled; check with '%s'", checkCmd))
	}
	return err
}

// WaitGone polls get until the API answers 404, reporting the states seen, for deletions the SDK
// has no waiter for.
func (f *Factory) WaitGone(ctx context.Context, p *Progress, get func(context.Context) (string, error)) error {
	interval := f.PollInterval
	if interval <= 0 {
		interval = cloud.DefaultMinPollInterval
	}
	start := time.Now()
	for {
		state, err := get(ctx)
		switch {
		case cloud.IsNotFound(err):
			return nil
		case err != nil && ctx.Err() == nil:
			return err
		case err == nil:
			p.Update(state, time.Since(start))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}
