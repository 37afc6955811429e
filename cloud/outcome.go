package cloud

import (
	"errors"
	"fmt"
	"net/http/httptrace"
	"sync"
	"time"
)

// ErrOutcomeUnknown is matched (errors.Is) by an error from a POST or PATCH that reached the
// server but whose answer did not come back whole: the connection dropped after the request was
// written, the answer did not arrive in time, or its body was cut off. The server may have acted:
// a create may have made the resource, and a key's secret or a service's password in the lost
// answer cannot be asked for again. Sending the request again may make a duplicate; look first
// (FindCreated). errors.As with *OutcomeUnknownError gives the method, path and cause.
var ErrOutcomeUnknown = errors.New("cloud: the request was sent but its answer was lost, so whether it took effect is unknown")

// ErrNotSent is matched (errors.Is) by an error from a call whose request never reached the
// server whole: the connection was refused, the name did not resolve, the TLS handshake failed,
// writing the request failed, or the call ended while it waited for the rate limiter. The server
// did not act on it, so sending it again is safe for every method.
var ErrNotSent = errors.New("cloud: the request was not sent")

// OutcomeUnknownError is the error behind ErrOutcomeUnknown.
type OutcomeUnknownError struct {
	Method string // POST or PATCH
	Path   string // the URL path, such as /v1/organizations/{org}/services
	// Status is the status of an answer whose body was cut off (the server did answer, so a 2xx
	// means it acted), 0 when no answer arrived at all.
	Status int
	// Started is when the call began (the client's clock): what was created by it was created
	// after this, give or take the clocks' difference (FindCreated allows for it).
	Started time.Time
	// Attempts is how many times the request was sent (more than one only under
	// AllowRetryOnWrite).
	Attempts int
	// Cause is the network, timeout or read error that lost the answer.
	Cause error
}

func (e *OutcomeUnknownError) Error() string {
	what := "no answer arrived"
	if e.Status != 0 {
		what = fmt.Sprintf("the answer (status %d) was cut off", e.Status)
	}
	return fmt.Sprintf("cloud: %s %s was sent but %s, so whether it took effect is unknown: %v", e.Method, e.Path, what, e.Cause)
}

// Unwrap gives the cause, so errors.Is(err, context.DeadlineExceeded) and errors.As with
// *net.OpError keep working.
func (e *OutcomeUnknownError) Unwrap() error { return e.Cause }

// Is makes errors.Is(err, ErrOutcomeUnknown) true.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// notSentError marks an error as ErrNotSent without changing its text, which already says what
// went wrong (dial tcp ...: connection refused).
type notSentError struct{ err error }

func (e *notSentError) Error() string        { return e.err.Error() }
func (e *notSentError) Unwrap() error        { return e.err }
func (e *notSentError) Is(target error) bool { return target == ErrNotSent }

// IsOutcomeUnknown reports whether err means that a POST or PATCH was sent and its answer lost.
func IsOutcomeUnknown(err error) bool { return errors.Is(err, ErrOutcomeUnknown) }

// IsNotSent reports whether err means that the request never reached the server.
func IsNotSent(err error) bool { return errors.Is(err, ErrNotSent) }

// sendTrace watches net/http write a request (httptrace), to tell a request that never reached
// the server from one that did. net/http may write a request more than once (it re-sends on a
// fresh connection when a reused one turns out dead before anything was written), so it counts.
type sendTrace struct {
	mu                     sync.Mutex
	started, wrote, failed int
}

func (s *sendTrace) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		WroteHeaders: func() {
			s.mu.Lock()
			s.started++
			s.mu.Unlock()
		},
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			s.mu.Lock()
			if info.Err == nil {
				s.wrote++
			} else {
				s.failed++
			}
			s.mu.Unlock()
		},
	}
}

// mayHaveArrived is true when a whole request was written, or when a write began and has not
// reported failing: the transport can see the connection close before the writer reports its
// end, and calling such a request "not sent" could make a caller create a duplicate.
func (s *sendTrace) mayHaveArrived() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wrote > 0 || s.started > s.failed
}

// labelOutcome labels an error that ends a call: ErrOutcomeUnknown for a write that reached the
// server, ErrNotSent for any request that never did, unchanged otherwise (an idempotent request
// whose answer was lost: sending it again is what retries do).
func labelOutcome(err error, method, path string, sent bool, status int, started time.Time, attempts int) error {
	if err == nil {
		return nil
	}
	if !sent {
		return &notSentError{err}
	}
	if idempotent(method) {
		return err
	}
	return &OutcomeUnknownError{Method: method, Path: path, Status: status, Started: started, Attempts: attempts, Cause: err}
}
