package cloud

import (
	"fmt"
	"time"
)

// WaitNotifyThreshold is how long a wait must be before WithWaitNotify's function hears of it:
// shorter pauses pass unnoticed by a person, and announcing every 500 ms backoff would be noise.
const WaitNotifyThreshold = 2 * time.Second

// WaitReason says why a call is about to wait.
type WaitReason int

const (
	// WaitRateLimited: the server answered 429; the client waits as long as it asked.
	WaitRateLimited WaitReason = iota + 1
	// WaitBudget: the key's request budget for the current window is spent (as the server
	// announced it, or the client-side limit); the client waits for the window to reset
	// before sending, so that the server need not refuse the request.
	WaitBudget
	// WaitServerError: the server answered 5xx; the request is sent again after a backoff.
	WaitServerError
	// WaitNoAnswer: the attempt got no whole answer (connection error, attempt timeout, cut-off
	// body); the request is sent again after a backoff.
	WaitNoAnswer
)

func (r WaitReason) String() string {
	switch r {
	case WaitRateLimited:
		return "rate limited"
	case WaitBudget:
		return "rate limit reached"
	case WaitServerError:
		return "server error"
	case WaitNoAnswer:
		return "no answer"
	}
	return fmt.Sprintf("WaitReason(%d)", int(r))
}

// WaitEvent describes a wait a call is about to make, for a progress line.
type WaitEvent struct {
	Reason WaitReason
	// Method and Path of the request (the URL path, without query or credentials).
	Method, Path string
	// Wait is how long the call will wait before its next attempt.
	Wait time.Duration
	// Attempt is the attempt that follows the wait (1 when the first attempt waits for the
	// budget); MaxAttempts is the retry policy's limit.
	Attempt, MaxAttempts int
	// Status is the status of the answer that caused the wait (429, 503...), 0 when none.
	Status int
	// Cause is the error that caused a WaitNoAnswer, nil otherwise. Its text never holds
	// credentials (they travel only in a header, which errors do not quote).
	Cause error
}

// String is the one line a person sees, such as "rate limited: waiting 7s, attempt 2 of 5".
func (e WaitEvent) String() string {
	what := e.Reason.String()
	if e.Reason == WaitServerError && e.Status != 0 {
		what = fmt.Sprintf("server error %d", e.Status)
	}
	s := fmt.Sprintf("%s: waiting %s", what, roundWait(e.Wait))
	if e.Attempt > 1 && e.MaxAttempts > 0 {
		s += fmt.Sprintf(", attempt %d of %d", e.Attempt, e.MaxAttempts)
	}
	return s
}

// roundWait rounds to whole seconds from 2 s on (nobody needs "6.874s"), and to tenths below.
func roundWait(d time.Duration) time.Duration {
	if d >= WaitNotifyThreshold {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}

// waitNotifier delivers WaitEvents to the function given to WithWaitNotify; the zero value (no
// function) drops them.
type waitNotifier struct {
	fn func(WaitEvent)
}

func (n waitNotifier) enabled() bool { return n.fn != nil }

// notify calls the function when the wait is long enough to be noticed, or always when force is
// set (a retry after an attempt that was itself slow: the person has already waited).
func (n waitNotifier) notify(e WaitEvent, force bool) {
	if n.fn == nil || (e.Wait < WaitNotifyThreshold && !force) {
		return
	}
	n.fn(e)
}

// WithWaitNotify calls fn before every wait of WaitNotifyThreshold or more that a call makes on
// its own: retrying after a 429, a 5xx or a lost answer, or holding a request until the key's
// rate limit window resets. It is also called before a retry that follows an attempt that lasted
// that long (an attempt timeout, say), however short the backoff. fn runs on the calling
// goroutine, before the wait, and must not block; several goroutines sharing a Client may call
// it at once. Waiters (WaitForService...) report through their own progress callback instead.
func WithWaitNotify(fn func(WaitEvent)) Option { return func(c *config) { c.waitNotify = fn } }
