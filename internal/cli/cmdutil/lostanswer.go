package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
)

// LostCreate describes a create command's request, so that when its answer is lost
// (cloud.ErrOutcomeUnknown) the command can find out whether it took effect instead of leaving
// the user to guess, and run it again into a duplicate.
type LostCreate struct {
	// Query names what was asked for: Kind, OrgID, ServiceID (ClickPipes) and Name. Since is
	// filled from the error.
	Query cloud.CreatedQuery
	// Noun is what the user calls it: "service", "API key".
	Noun string
	// List is the command that lists such resources, for when the lookup itself fails.
	List string
	// Lost names, with its verb, what only the lost answer carried ("its key ID and secret were",
	// "the default user's password was"); empty when the resource is whole without its answer.
	Lost string
	// Fix says what to do with a resource whose secret was lost, %[1]s standing for its ID:
	// "delete it with 'chcloud key delete %[1]s --yes' and create it again".
	Fix string
}

// lostAnswerLooks is how many times the lookup lists before it says "not created": a create the
// server was still finishing when the connection dropped can appear a moment later.
const lostAnswerLooks = 3

// lostAnswerInterval is the wait between two looks, unless the factory's PollInterval is set.
const lostAnswerInterval = 2 * time.Second

// lostAnswerTimeout bounds the lookup: it runs even when the command's own context has ended
// (a timeout is one way of losing the answer), so it needs a limit of its own.
const lostAnswerTimeout = 30 * time.Second

// SettleLostCreate turns the error of a create into what happened when it is
// cloud.ErrOutcomeUnknown, and returns any other error (or nil) as it is. It lists the resources
// of lc's kind and name created since the call began:
//   - one, whose answer carried nothing else: it is returned, with a note on stderr, and the
//     command goes on as if the answer had arrived (exit 0);
//   - one, whose answer carried a secret: an error saying it was created as ID, that its secret
//     is lost, and how to delete it or reset the secret;
//   - none: an error saying it was not created and is safe to run again;
//   - several, or a lookup that fails: an error that says so and what to check, never "safe".
//
// Every error still matches cloud.ErrOutcomeUnknown (errors.Is).
func (f *Factory) SettleLostCreate(ctx context.Context, c *cloud.Client, err error, lc LostCreate) (*cloud.Created, error) {
	var lost *cloud.OutcomeUnknownError
	if !errors.As(err, &lost) {
		return nil, err
	}
	q := lc.Query
	q.Since = lost.Started
	what := lc.Noun
	if q.Name != "" {
		what = fmt.Sprintf("%s %q", lc.Noun, q.Name)
	}
	var lostWhy string
	switch {
	case lost.Status != 0:
		lostWhy = fmt.Sprintf("the answer (status %d) was cut off", lost.Status)
	case errors.Is(err, context.DeadlineExceeded):
		lostWhy = "no answer came in time after the request was sent"
	case errors.Is(err, context.Canceled):
		lostWhy = "the command was interrupted after the request was sent"
	default:
		lostWhy = fmt.Sprintf("the connection failed after the request was sent: %v", rootCause(lost.Cause))
	}
	head := fmt.Sprintf("the answer to creating %s was lost (%s)", what, lostWhy)

	interval := lostAnswerInterval
	if f.PollInterval > 0 {
		interval = f.PollInterval
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lostAnswerTimeout)
	defer cancel()
	var found []cloud.Created
	var lookErr error
	for look := 1; look <= lostAnswerLooks; look++ {
		found, lookErr = c.FindCreated(lctx, q)
		if lookErr != nil || len(found) > 0 || look == lostAnswerLooks {
			break
		}
		select {
		case <-lctx.Done():
			lookErr = lctx.Err()
		case <-time.After(interval):
		}
		if lookErr != nil {
			break
		}
	}
	wrap := func(format string, args ...any) error {
		// The original error stays in the chain (errors.Is ErrOutcomeUnknown) but not in the text:
		// head already says what was lost and why.
		return &lostCreateError{msg: head + ": " + fmt.Sprintf(format, args...), err: err}
	}
	switch {
	case lookErr != nil:
		return nil, &Error{Code: ExitError, Err: wrap("looking for it failed too (%v), so whether it was created is unknown", lookErr),
			Hints: []string{fmt.Sprintf("check with '%s' before running the command again: running it again may create a second %s", lc.List, lc.Noun)}}
	case len(found) == 0:
		return nil, &Error{Code: ExitError, Err: wrap("not created: no %s appeared since the call began; it is safe to run the command again", what)}
	case len(found) > 1:
		ids := make([]string, len(found))
		for i, r := range found {
			ids[i] = r.ID
		}
		return nil, &Error{Code: ExitError, Err: wrap("%d of that name were created since the call began (%s): one is probably this call's", len(found), strings.Join(ids, ", ")),
			Hints: []string{fmt.Sprintf("'%s' shows them; check which is yours before running the command again", lc.List)}}
	}
	created := found[0]
	if lc.Lost == "" {
		f.Infof("! The answer was lost (%s), but the %s was created as %s.", lostWhy, lc.Noun, created.ID)
		return &created, nil
	}
	return nil, &Error{Code: ExitError, Err: wrap("created as %s (%s only in that answer and cannot be shown again: %s)",
		created.ID, lc.Lost, fmt.Sprintf(lc.Fix, created.ID))}
}

// rootCause is the innermost error of a chain, which for a network failure is the short part
// ("EOF", "connection reset by peer") without the URL and addresses wrapped around it.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// lostCreateError is the outcome of a lookup after a lost answer: its own text, with the
// original error underneath for errors.Is.
type lostCreateError struct {
	msg string
	err error
}

func (e *lostCreateError) Error() string { return e.msg }
func (e *lostCreateError) Unwrap() error { return e.err }
