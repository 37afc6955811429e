package cloudtest

import (
	"sync"
	"time"
)

// rateLimiter is the real API's fixed-window limit: each key gets limit requests per window,
// the window starting with the key's first request.
type rateLimiter struct {
	limit  int
	window time.Duration

	mu      sync.Mutex
	windows map[string]*rateWindow
}

type rateWindow struct {
	start time.Time
	used  int
}

type rateDecision struct {
	allowed   bool
	limit     int
	remaining int
	reset     time.Duration // until the window ends
}

func newRateLimiter(limit int, window time.Duration) *rateLimiter {
	return &rateLimiter{limit: limit, window: window, windows: map[string]*rateWindow{}}
}

func (l *rateLimiter) take(key string, now time.Time) rateDecision {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windows[key]
	if w == nil && len(l.windows) >= maxWindows {
		l.prune(now)
	}
	if w == nil || !now.Before(w.start.Add(l.window)) {
		if w == nil {
			w = &rateWindow{}
			l.windows[key] = w
		}
		w.start, w.used = now, 0
	}
	d := rateDecision{limit: l.limit, reset: w.start.Add(l.window).Sub(now)}
	if w.used >= l.limit {
		return d
	}
	w.used++
	d.allowed = true
	d.remaining = l.limit - w.used
	return d
}

// maxWindows bounds the table of windows: past it, expired windows are dropped, so that
// requests with ever new key IDs cannot grow it without end.
const maxWindows = 4096

func (l *rateLimiter) prune(now time.Time) {
	for key, w := range l.windows {
		if !now.Before(w.start.Add(l.window)) {
			delete(l.windows, key)
		}
	}
}
