package drift

import "fmt"

// InputError reports a document that cannot be used: unreachable, not JSON, an HTML page, not
// OpenAPI, invalid OpenAPI, or unusable by the code generator. Source names the file or URL and
// Problem says what is wrong with it, in words a user can act on.
type InputError struct {
	Source  string
	Problem string
	Err     error // the underlying error, when there is one
}

func (e *InputError) Error() string {
	if e.Source == "" {
		return e.Problem
	}
	return fmt.Sprintf("%s: %s", e.Source, e.Problem)
}

func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(source string, err error, format string, args ...any) *InputError {
	return &InputError{Source: source, Problem: fmt.Sprintf(format, args...), Err: err}
}
