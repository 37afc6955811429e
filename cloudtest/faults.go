package cloudtest

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Fault is a failure the server injects into an answer, to test how a client copes with a
// service that misbehaves. The fields combine: a Delay happens first, then Drop, Truncate or
// Status decides what the client sees.
type Fault struct {
	// Status answers with this HTTP status instead of running the operation, with the body the
	// real API sends for it: the error envelope {"status":N,"requestId":...,"error":"CODE: ..."},
	// or for 429 just {"error":"TOO_MANY_REQUESTS"} with rate-limit headers, for 401 the
	// unknown-key answer.
	Status int
	// Delay holds the answer back this long (real time; it ends early when the client gives up).
	Delay time.Duration
	// Drop closes the connection without answering, after the operation has run: a create has
	// made its resource (and its one-time secret is gone with the answer), as when a real
	// connection fails after the request was sent. The client cannot tell whether its write
	// happened; that is what it must cope with (cloud.ErrOutcomeUnknown). With Status, the
	// operation still runs and Status is ignored.
	Drop bool
	// Truncate runs the operation and sends the status, headers and only the first half of the
	// body before closing the connection: the answer of a successful create arrives cut off, so
	// the client knows the server answered but not what it made.
	Truncate bool
	// Times limits the fault to the first Times matching requests; 0 means every request.
	Times int
}

// Common faults. FaultDrop and FaultTruncate act first: on a create they leave a resource
// that the client never hears about.
var (
	FaultInternalError = Fault{Status: 500}
	FaultUnavailable   = Fault{Status: 503}
	FaultDrop          = Fault{Drop: true}
	FaultTruncate      = Fault{Truncate: true}
)

func (f Fault) active() bool { return f.Status != 0 || f.Delay > 0 || f.Drop || f.Truncate }

// faultTable holds the configured faults and counts how often each one has fired.
type faultTable struct {
	mu     sync.Mutex
	byOp   map[string]Fault
	fired  map[string]int
	rate   float64
	rng    *rand.Rand
	choice []Fault
}

func newFaultTable(byOp map[string]Fault, rate float64, seed int64) *faultTable {
	t := &faultTable{byOp: map[string]Fault{}, fired: map[string]int{}, rate: rate,
		rng:    rand.New(rand.NewPCG(uint64(seed), 0x6661756c74)),
		choice: []Fault{FaultInternalError, FaultUnavailable, FaultDrop, FaultTruncate}}
	for k, v := range byOp {
		if v.active() {
			t.byOp[k] = v
		}
	}
	return t
}

func (t *faultTable) set(op string, f Fault) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f.active() {
		t.byOp[op] = f
	} else {
		delete(t.byOp, op)
	}
	delete(t.fired, op)
}

// pick returns the fault to inject into a request for op, if any.
func (t *faultTable) pick(op string) (Fault, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, key := range [...]string{op, "*"} {
		f, ok := t.byOp[key]
		if !ok {
			continue
		}
		if f.Times > 0 && t.fired[key] >= f.Times {
			continue
		}
		t.fired[key]++
		return f, true
	}
	if t.rate > 0 && t.rng.Float64() < t.rate {
		return t.choice[t.rng.IntN(len(t.choice))], true
	}
	return Fault{}, false
}
