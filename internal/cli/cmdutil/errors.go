// Package cmdutil holds what every chcloud command shares: the Factory (streams, settings, the
// lazily built SDK client), the description of a command (Cmd) and the families of commands
// built from one generated call (ListOf, GetOf, DeleteOf...), exit codes and error printing,
// argument checks, confirmation prompts, wait progress and the dry-run transport.
package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
)

// Exit codes, as documented in the README.
const (
	ExitOK    = 0
	ExitError = 1 // API or runtime error
	ExitUsage = 2 // bad command line or input
	// ExitFindings: a check ran and found something at the level asked for (`key audit
	// --fail-on`), told apart from "could not run" (1, 4) and "called wrongly" (2) so CI can act.
	ExitFindings = 3
	ExitAuth     = 4 // missing or rejected credentials
)

// Error is an error with an exit code and optional hints printed after it. It is how every
// command, spec and mock included, says which exit code a failure of its own gets; ExitCode
// reads it.
type Error struct {
	Code  int
	Err   error
	Hints []string
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// UsageErrorf is a bad-input error (exit code 2).
func UsageErrorf(format string, args ...any) error {
	return UsageError(fmt.Errorf(format, args...))
}

// UsageError makes err a bad-input error (exit code 2), keeping it for errors.As.
func UsageError(err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: ExitUsage, Err: err}
}

// AuthErrorf is a credentials error (exit code 4).
func AuthErrorf(format string, args ...any) error {
	return &Error{Code: ExitAuth, Err: fmt.Errorf(format, args...)}
}

// WithHint attaches a hint to err, keeping its exit code.
func WithHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return &Error{Code: e.Code, Err: e.Err, Hints: append(append([]string(nil), e.Hints...), hint)}
	}
	return &Error{Code: exitCodeOf(err), Err: err, Hints: []string{hint}}
}

// ErrCancelled is returned when the user declines a confirmation; it exits 1 quietly.
var ErrCancelled = errors.New("cancelled")

// errDryRun ends a command after --dry-run printed the request it would have sent (exit 0).
var errDryRun = errors.New("dry run: request not sent")

// IsDryRun reports whether err only means that --dry-run stopped a request.
func IsDryRun(err error) bool { return errors.Is(err, errDryRun) }

// ExitCode maps an error to the process exit code. It is the only place that does: the SDK
// knows nothing of exit codes, and commands say theirs with *Error.
func ExitCode(err error) int {
	if err == nil || IsDryRun(err) {
		return ExitOK
	}
	return exitCodeOf(err)
}

func exitCodeOf(err error) int {
	var e *Error
	var ambiguous *AmbiguousError
	var apiErr *cloud.APIError
	switch {
	case errors.As(err, &e):
		return e.Code
	case errors.As(err, &ambiguous):
		// A name that several resources have: the command line must say which one.
		return ExitUsage
	case errors.As(err, &apiErr):
		// 4 when the credentials were rejected (401); 1 for everything else the API refused,
		// including 403 (the key is valid but its role does not allow the call).
		if apiErr.StatusCode == http.StatusUnauthorized {
			return ExitAuth
		}
		return ExitError
	case isCobraUsageError(err):
		return ExitUsage
	}
	// Everything else, a name no resource has (*NotFoundError) included: what exists is the
	// server's state, not a mistake on the command line.
	return ExitError
}

// isCobraUsageError recognises the errors cobra itself returns for a bad command line, which
// carry no type of their own.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument",
		"flag needs an argument", "required flag", "accepts ", "requires at least", "requires at most",
		"received ", "if any flags in the group", "none of the others can be", "at least one of the flags"} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}

// PrintError writes "error: ..." and any hints; a cancelled confirmation prints nothing more.
func PrintError(w io.Writer, err error) {
	if err == nil || IsDryRun(err) {
		return
	}
	if errors.Is(err, ErrCancelled) {
		fmt.Fprintln(w, "cancelled")
		return
	}
	// An API error speaks for itself ("CONFLICT: ... (status 409, request id ...)"); the layers
	// of context wrapped around it on the way up only push it off the line.
	if msg, ok := apiErrorText(err); ok {
		fmt.Fprintf(w, "error: %s\n", msg)
	} else {
		fmt.Fprintf(w, "error: %s\n", err)
	}
	var hints []string
	var e *Error
	if errors.As(err, &e) {
		hints = append(hints, e.Hints...)
	}
	var hinter interface{ hints() []string }
	if errors.As(err, &hinter) {
		hints = append(hints, hinter.hints()...)
	}
	hints = append(hints, apiHints(err)...)
	hints = append(hints, networkHint(err)...)
	seen := map[string]bool{}
	for _, h := range hints {
		if !seen[h] {
			seen[h] = true
			fmt.Fprintf(w, "hint: %s\n", h)
		}
	}
}

// ExactArgs is cobra.ExactArgs with a usage error (exit 2) that names the missing argument.
func ExactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == len(names) {
			return nil
		}
		if len(args) < len(names) {
			return UsageErrorf("missing %s\nusage: %s", strings.Join(names[len(args):], ", "), cmd.UseLine())
		}
		return UsageErrorf("too many arguments (%d, want %d: %s)\nusage: %s", len(args), len(names),
			strings.Join(names, ", "), cmd.UseLine())
	}
}

// NoArgs is cobra.NoArgs with a usage error.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return UsageErrorf("unexpected argument %q\nusage: %s", args[0], cmd.UseLine())
	}
	return nil
}

// ValidateID checks that an ID argument is a UUID, as every ID in the API is, so a typo fails
// here with exit code 2 instead of as a confusing 400 or 404 from the server.
func ValidateID(kind, id string) error {
	if len(id) != 36 {
		return UsageErrorf("invalid %s ID %q: expected a UUID such as 7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53", kind, id)
	}
	if _, err := uuid.Parse(id); err != nil {
		return UsageErrorf("invalid %s ID %q: expected a UUID such as 7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53", kind, id)
	}
	return nil
}

// FlagErrorFunc turns cobra's flag parsing errors into usage errors (exit 2).
func FlagErrorFunc(cmd *cobra.Command, err error) error {
	return &Error{Code: ExitUsage, Err: err, Hints: []string{fmt.Sprintf("see '%s --help'", cmd.CommandPath())}}
}
