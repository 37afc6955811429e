package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// validateRequest checks a request against the published document before it is sent, and
// returns an error naming the parameter or body field that is wrong. It asks
// specdoc.CheckRequest, the validator the fake server uses too, which accepts what the real API
// accepts although the document forbids it.
func validateRequest(op spec.Operation, pathParams map[string]string, query url.Values, body []byte) error {
	verdict, err := specdoc.CheckRequest(op.ID, pathParams, query, body)
	if err != nil {
		return err
	}
	var problems []string
	for _, p := range verdict.Parameters {
		problems = append(problems, fmt.Sprintf("%s parameter %q: %s", p.In, p.Name, p.Reason))
	}
	if len(bytes.TrimSpace(body)) > 0 {
		// An empty body is the API's to refuse: the CLI sends what it was given.
		problems = append(problems, bodyLines(verdict.Problems)...)
	}
	if len(problems) == 0 {
		return nil
	}
	return mismatch(op, problems)
}

func mismatch(op spec.Operation, problems []string) error {
	return fmt.Errorf("the request does not match the API document for %s (%s %s):\n  %s",
		op.ID, op.Method, op.Path, strings.Join(problems, "\n  "))
}

// bodyProblems judges a body with specdoc.CheckRequestBody and returns one line per field that
// refuses it ("request body: field "/password": needs an upper-case letter and a digit"). The
// error is for a body that cannot be judged (not JSON).
func bodyProblems(operationID string, body []byte) ([]string, error) {
	verdict, err := specdoc.CheckRequestBody(operationID, body)
	if err != nil {
		return nil, err
	}
	return bodyLines(verdict.Problems), nil
}

func bodyLines(problems []specdoc.Problem) []string {
	lines := specdoc.Describe(problems)
	for i, l := range lines {
		lines[i] = "request body: " + l
	}
	return lines
}

// NoValidateHelp is the help of --no-validate on every command that checks a body before sending.
const NoValidateHelp = "send the request without checking it against the API document first"

// ValidateBody checks a JSON request body for an operation against the document, for curated
// commands that take a whole body from a file (clickpipe create, role create). Errors are usage
// errors naming the field, with a hint at --no-validate, which every such command has.
func ValidateBody(_ context.Context, operationID string, body []byte) error {
	op, ok := spec.Lookup(operationID)
	if !ok {
		return fmt.Errorf("unknown operation %q", operationID)
	}
	problems, err := bodyProblems(operationID, body)
	switch {
	case errors.Is(err, specdoc.ErrBodyNotJSON):
		return cmdutil.UsageErrorf("%w", err)
	case err != nil:
		return err
	case len(problems) > 0:
		return cmdutil.WithHint(cmdutil.UsageErrorf("%w", mismatch(op, problems)),
			"fix the field, or pass --no-validate to send it anyway")
	}
	return nil
}
