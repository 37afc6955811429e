package cloud

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// budget is everything the client knows of its API key's request budget, in one place: the rate
// limiter (rateLimitTransport) asks it before every attempt and tells it every answer, and
// waiters read it to decide how often they can afford to poll.
//
// The API counts requests per key in fixed windows and says so on every answer:
// X-RateLimit-Limit (requests per window), X-RateLimit-Remaining, X-RateLimit-Reset (seconds
// until the window ends, possibly fractional) and X-RateLimit-Policy ("40;w=10;..."). Support
// raises limits per key, and other programs may use the same key, so a fixed client-side rate is
// either too slow or too fast. Once the server has announced its budget, a request only leaves
// when the remaining budget of the current window, minus this client's requests still in flight,
// is positive; otherwise it waits for the reset. The first request of a window whose budget is
// not known yet goes alone (a probe): its answer tells the others how much there is. Nothing is
// borrowed from later windows, so retries cannot put the client in debt: an attempt the server
// refused (429) cost nothing but tells the client when to come back.
//
// A server that announces nothing (no X-RateLimit-Remaining with X-RateLimit-Reset) gets the
// configured token bucket (WithRateLimit, by default the documented 10 per 10 s), which also
// obeys Retry-After.
type budget struct {
	clock clock
	// enforce is false under WithoutRateLimit: answers are still read (so waiters know how
	// busy the key is) but requests never wait.
	enforce bool
	// fixed keeps today's fixed token bucket (configured rate, plus pauses when the server says
	// the window is spent) and ignores the announced budget; kept for comparison.
	fixed bool

	mu sync.Mutex
	// changed is closed (and replaced) whenever an answer arrives or a request ends, to wake
	// requests waiting for the budget.
	changed chan struct{}

	mode   budgetMode
	bucket *rate.Limiter
	// limit and window are the budget per window: configured until the server announces them.
	limit  int
	window time.Duration
	// windowFromPolicy is set when X-RateLimit-Policy named the window; otherwise window is
	// the longest reset seen on the first answer of a window.
	windowFromPolicy bool

	// The current window, as the server's answers describe it.
	gen        int  // incremented whenever the known window ends
	known      bool // remaining and resetAt describe the current window
	remaining  int
	resetAt    time.Time
	lastAnswer time.Time
	lastEnd    time.Time // the end of the latest window known, kept after it ended
	// inFlight counts requests sent and not answered, whatever window they were sent in: one
	// sent just before a reset may reach the server just after it and count in the new window.
	inFlight int
	probing  bool // a probe is out: the others wait for its answer
	sent     int  // requests this client sent in this window
	// others counts requests of other clients (or processes) in the current window: what the
	// server counted that this client did not send. othersBefore is the same for the last
	// window observed before it.
	others, othersBefore int

	// pausedUntil holds every request after a 429 or Retry-After that named no window reset.
	pausedUntil time.Time
}

type budgetMode int

const (
	modeUnknown budgetMode = iota // nothing heard yet: one request at a time until an answer
	modeWindow                    // the server announces its budget: follow it
	modeBucket                    // the server announces nothing: configured token bucket
)

// resetMargin is added to the server's reset time before sending again. The reset is measured
// from when the answer arrived, which is already later than when the server computed it; the
// margin covers a reset the server rounded down.
const resetMargin = time.Millisecond

func newBudget(cl clock, requests int, per time.Duration, enforce, fixed bool) *budget {
	if requests <= 0 || per <= 0 { // only possible with the limiter off: New refuses it otherwise
		requests, per = 10, 10*time.Second
	}
	return &budget{
		clock:   cl,
		enforce: enforce,
		fixed:   fixed,
		changed: make(chan struct{}),
		bucket:  rate.NewLimiter(rate.Every(per/time.Duration(requests)), requests),
		limit:   requests,
		window:  per,
	}
}

// ticket is one attempt's claim on the budget, given back with its answer.
type ticket struct {
	gen     int
	counted bool // counted in inFlight of window gen
	probe   bool
}

// acquire waits until the budget allows one more request. onWait, when not nil, hears of each
// wait of WaitNotifyThreshold or more before it starts, once per stretch of waiting: a request
// woken early (by another's answer) and sent back to wait for the same reset is not announced
// again.
func (b *budget) acquire(ctx context.Context, onWait func(time.Duration)) (ticket, error) {
	var announcedUntil time.Time
	announce := func(now time.Time, wait time.Duration) {
		if onWait == nil || wait < WaitNotifyThreshold || !now.Add(wait).After(announcedUntil.Add(time.Second)) {
			return
		}
		announcedUntil = now.Add(wait)
		onWait(wait)
	}
	if !b.enforce {
		b.mu.Lock()
		t := ticket{gen: b.gen}
		b.sent++
		b.mu.Unlock()
		return t, nil
	}
	for {
		b.mu.Lock()
		now := b.clock.Now()
		t, wait, ok := b.takeLocked(now)
		changed := b.changed
		var reservation *rate.Reservation
		if ok && b.mode != modeWindow {
			// The bucket: reserve now, wait outside the lock, and go (today's limiter).
			reservation = b.bucket.ReserveN(now, 1)
			wait = reservation.DelayFrom(now)
		}
		b.mu.Unlock()
		if ok {
			if wait > 0 {
				announce(now, wait)
				if err := b.clock.Sleep(ctx, wait); err != nil {
					reservation.CancelAt(b.clock.Now())
					b.release(t, nil)
					return ticket{}, err
				}
			}
			return t, nil
		}
		announce(now, wait)
		if err := b.sleep(ctx, wait, changed); err != nil {
			return ticket{}, err
		}
	}
}

// takeLocked claims a request if the budget allows one now; otherwise it says how long to wait
// (0: until something changes).
func (b *budget) takeLocked(now time.Time) (ticket, time.Duration, bool) {
	if now.Before(b.pausedUntil) {
		return ticket{}, b.pausedUntil.Sub(now), false
	}
	if b.fixed {
		return ticket{gen: b.gen}, 0, true
	}
	switch b.mode {
	case modeUnknown:
		if b.probing {
			return ticket{}, 0, false
		}
		b.probing = true
		return b.claimLocked(true), 0, true
	case modeBucket:
		return b.claimLocked(false), 0, true
	}
	b.rollLocked(now)
	if b.known {
		if b.remaining-b.inFlight > 0 {
			return b.claimLocked(false), 0, true
		}
		return ticket{}, b.resetAt.Add(resetMargin).Sub(now), false
	}
	if b.probing {
		return ticket{}, 0, false
	}
	b.probing = true
	return b.claimLocked(true), 0, true
}

func (b *budget) claimLocked(probe bool) ticket {
	b.inFlight++
	b.sent++
	return ticket{gen: b.gen, counted: true, probe: probe}
}

// rollLocked starts a new window once the known one has ended: nothing is known of it until
// the next answer.
func (b *budget) rollLocked(now time.Time) {
	if !b.known || now.Before(b.resetAt.Add(resetMargin)) {
		return
	}
	b.gen++
	b.known = false
	b.sent = 0
	b.othersBefore, b.others = b.others, 0
	b.probing = false
}

// sleep waits for d, or until the budget changes when d is 0, or until ctx is done.
func (b *budget) sleep(ctx context.Context, d time.Duration, changed <-chan struct{}) error {
	if d <= 0 {
		select {
		case <-changed:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-changed:
			cancel()
		case <-wctx.Done():
		}
	}()
	if err := b.clock.Sleep(wctx, d); err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}

// release gives a ticket back with the attempt's answer (nil when there was none).
func (b *budget) release(t ticket, resp *http.Response) {
	b.mu.Lock()
	defer b.mu.Unlock()
	defer b.wakeLocked()
	if t.counted {
		b.inFlight--
	}
	if t.probe && t.gen == b.gen {
		b.probing = false
	}
	if resp != nil {
		b.observeLocked(t, resp)
	}
}

func (b *budget) wakeLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// announcement is what one answer says of the budget.
type announcement struct {
	limit        int // 0 when not said
	window       time.Duration
	remaining    int
	hasRemaining bool
	reset        time.Duration
	hasReset     bool
}

func readAnnouncement(h http.Header) announcement {
	var a announcement
	if v, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Limit"))); err == nil && v > 0 {
		a.limit = v
	}
	if limit, window, ok := parsePolicy(h.Get("X-RateLimit-Policy")); ok {
		if a.limit == 0 {
			a.limit = limit
		}
		a.window = window
	}
	if v, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining"))); err == nil {
		a.remaining, a.hasRemaining = max(v, 0), true
	}
	a.reset, a.hasReset = rateLimitReset(h)
	return a
}

// parsePolicy reads the first policy of an X-RateLimit-Policy header such as
// `40;w=10;comment="fixed window"` (draft-ietf-httpapi-ratelimit-headers). The window is in
// seconds and may be fractional; a missing or zero window is not a window.
func parsePolicy(v string) (limit int, window time.Duration, ok bool) {
	if v == "" {
		return 0, 0, false
	}
	first, _, _ := strings.Cut(v, ",")
	parts := strings.Split(first, ";")
	limit, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || limit <= 0 {
		return 0, 0, false
	}
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.TrimSpace(k) != "w" {
			continue
		}
		if secs, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil && secs > 0 && secs <= 24*3600 {
			window = time.Duration(secs * float64(time.Second))
		}
	}
	return limit, window, true
}

// observeLocked reads the server's account of the budget from an answer.
func (b *budget) observeLocked(t ticket, resp *http.Response) {
	now := b.clock.Now()
	a := readAnnouncement(resp.Header)
	tooMany := resp.StatusCode == http.StatusTooManyRequests
	if b.fixed {
		b.observeFixedLocked(resp.Header, now, a, tooMany)
		return
	}
	if !a.hasRemaining || !a.hasReset {
		// No account of the window: the token bucket, at the announced rate when there
		// was one. A 429 still says to hold every request for a while.
		if a.limit > 0 && a.window > 0 && (a.limit != b.limit || a.window != b.window) {
			b.limit, b.window, b.windowFromPolicy = a.limit, a.window, true
			b.bucket.SetLimitAt(now, rate.Every(b.window/time.Duration(b.limit)))
			b.bucket.SetBurstAt(now, b.limit)
		}
		if b.mode != modeBucket {
			b.mode = modeBucket
			b.known, b.probing = false, false
			b.gen++
			b.sent = 0
		}
		if tooMany {
			wait := retryAfter(resp.Header, now)
			if wait <= 0 {
				wait = time.Second
			}
			b.pauseLocked(now.Add(wait + resetMargin))
		}
		return
	}
	if b.mode != modeWindow {
		b.mode = modeWindow
		// The server announces from now on: the configured window is no estimate of its own.
		if !b.windowFromPolicy {
			b.window = 0
		}
		b.known = false
	}
	if a.limit > 0 {
		b.limit = a.limit
	}
	if a.window > 0 {
		b.window, b.windowFromPolicy = a.window, true
	} else if !b.windowFromPolicy && (t.probe || b.window == 0) {
		// The first answer of a window says how long a window lasts, give or take the
		// latency; other clients may have opened it earlier, hence the longest seen.
		b.window = max(b.window, a.reset)
	}
	if tooMany && a.reset <= 0 {
		// A 429 whose window has already ended: come back right after it.
		b.pauseLocked(now.Add(resetMargin))
		return
	}
	remaining := a.remaining
	if tooMany {
		remaining = 0
	}
	// Answers are told apart by the window they describe, known by its end (measured from
	// when each answer arrived, so ends of one window differ by the latency), not by when
	// their requests left: a request sent just before a reset may be counted after it.
	end := now.Add(a.reset)
	tol := b.sameWindowLocked(a)
	switch {
	case b.lastEnd.IsZero() || end.Sub(b.lastEnd) > tol:
		// A window later than any known: the current one from now on.
		if b.known {
			b.gen++
			b.sent = 1 // this request, counted in the new window
			b.othersBefore, b.others = b.others, 0
			b.probing = false
		}
		b.establishLocked(now, end, remaining)
	case b.known && end.Sub(b.lastEnd) >= -tol:
		// The known window. Answers come back in any order: the lowest remaining and the
		// earliest reset are the latest news.
		b.remaining = min(b.remaining, remaining)
		if end.Before(b.resetAt) {
			b.resetAt = end
		}
		b.lastAnswer = now
	default:
		return // a window that has ended: it says nothing of this one
	}
	b.lastEnd = b.resetAt
	b.countOthersLocked()
}

// sameWindowLocked is how far apart the ends of one window may seem in two answers (each end is
// measured from when its answer arrived): less than half a window, since consecutive windows
// end a window apart.
func (b *budget) sameWindowLocked(a announcement) time.Duration {
	if b.window > 0 {
		return b.window / 2
	}
	return a.reset / 2
}

func (b *budget) establishLocked(now, end time.Time, remaining int) {
	b.known = true
	b.remaining = remaining
	b.resetAt = end
	b.lastAnswer = now
}

// countOthersLocked updates the estimate of other clients' use of this window: what the server
// counted beyond the requests this client sent.
func (b *budget) countOthersLocked() {
	b.others = max(b.others, b.limit-b.remaining-b.sent)
}

func (b *budget) pauseLocked(until time.Time) {
	if until.After(b.pausedUntil) {
		b.pausedUntil = until
	}
}

// observeFixedLocked is today's limiter: the bucket runs at the configured rate, and an answer
// saying the window is spent (Remaining 0, or a 429) holds every request until the reset.
func (b *budget) observeFixedLocked(h http.Header, now time.Time, a announcement, tooMany bool) {
	if !tooMany && !(a.hasRemaining && a.remaining <= 0) {
		return
	}
	wait := retryAfter(h, now)
	if wait <= 0 {
		if !tooMany {
			return // Remaining 0 without a reset time: the token bucket has to do.
		}
		wait = time.Second
	}
	b.pauseLocked(now.Add(wait + 5*time.Millisecond))
}

// budgetView is what a waiter needs to know of the budget.
type budgetView struct {
	announced bool // the server announces its budget; the rest is meaningless otherwise
	limit     int
	window    time.Duration
	// others is how many requests per window other clients of the key are expected to make.
	others float64
	// holdFor is how long a poll should wait so as not to take budget the other clients are
	// expected to need before the window resets (0: go).
	holdFor time.Duration
}

func (b *budget) view() budgetView {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	if b.mode != modeWindow || b.fixed {
		return budgetView{}
	}
	b.rollLocked(now)
	v := budgetView{announced: true, limit: b.limit, window: b.window}
	if v.window <= 0 {
		v.window = 10 * time.Second // the documented window, until an answer says otherwise
	}
	v.others = float64(b.othersBefore)
	if b.known {
		// Early in a window the count so far says little of the whole window: project it,
		// from a quarter of the window on.
		began := b.resetAt.Add(-v.window)
		seen := max(b.lastAnswer.Sub(began), v.window/4)
		// One request of this client sent as the last window ended may have been counted
		// in this one: a single request says nothing of the others' pace.
		v.others = max(v.others, float64(b.others), float64(b.others-1)*float64(v.window)/float64(seen))
		// Leave what the others are expected to use until the reset.
		expected := v.others * float64(b.resetAt.Sub(b.lastAnswer)) / float64(v.window)
		if float64(b.remaining-b.inFlight)-expected < 1 && now.Before(b.resetAt) {
			v.holdFor = b.resetAt.Add(resetMargin).Sub(now)
		}
	}
	return v
}

// withFixedRateLimit keeps the limiter of SDK 0.1 (a fixed token bucket at WithRateLimit's rate,
// paused when the server says its window is spent) instead of following the server's announced
// budget; benchmarks compare the two.
func withFixedRateLimit() Option { return func(c *config) { c.rateFixed = true } }
