package speccmd

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

func newCheckRequestCommand(f *cmdutil.Factory) *cobra.Command {
	opts := &CheckOptions{F: f}
	cmd := &cobra.Command{
		Use:   "check-request OPERATION FILE",
		Short: "Say what pre-send validation thinks of a request body",
		Long: `Judge a request body against the published document, as chcloud and the fake
server do before a request is sent or served: the same validator, the same list of
requests the real API accepts although the document forbids them (marked "accepted").

OPERATION is an operationId (chcloud api --list), FILE the JSON body (- for standard
input). A value of a union type is judged against the form it belongs to, and the
message names the property that chose that form.

Exit status: 0 when the body would be sent, 1 when validation refuses it, 2 on bad input.`,
		Example: `  chcloud spec check-request instanceCreate service.json
  echo '{"pgConfig":{}}' | chcloud spec check-request postgresServiceSetConfig -`,
		Args:         exactArgs(2, "OPERATION FILE"),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheckRequest(cmd, opts, args[0], args[1])
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	return cmd
}

// requestFinding is one line of check-request's answer.
type requestFinding struct {
	Path      string `json:"path"`
	Rule      string `json:"rule"`
	Message   string `json:"message"`
	Form      string `json:"form,omitempty"`
	Accepted  bool   `json:"accepted"`
	Reason    string `json:"reason,omitempty"`
	Reference string `json:"reference,omitempty"`
}

func runCheckRequest(cmd *cobra.Command, opts *CheckOptions, operation, file string) error {
	if err := checkFormat(opts.Format); err != nil {
		return err
	}
	body, err := readBody(opts.F.IOStreams.In, file)
	if err != nil {
		return err
	}
	verdict, err := specdoc.CheckRequestBody(operation, body)
	switch {
	case errors.Is(err, specdoc.ErrUnknownOperation):
		return inputError(unknownOperation(operation))
	case err != nil:
		return inputError(err)
	}
	var root any
	_ = json.Unmarshal(body, &root) // CheckRequestBody has parsed it already

	var lines []requestFinding
	for _, m := range specdoc.Messages(verdict.Problems) {
		lines = append(lines, requestFinding{Path: specdoc.JSONPath(root, m.Pointer), Message: m.Text})
	}
	for _, a := range verdict.Accepted {
		lines = append(lines, requestFinding{Path: specdoc.JSONPath(root, a.Pointer), Rule: a.Keyword, Message: a.Reason,
			Form: formString(a.Form), Accepted: true, Reason: oneLine(a.Deviation.Reason), Reference: a.Deviation.Reference})
	}
	out := opts.F.IOStreams.Out
	if opts.Format == "json" {
		if lines == nil {
			lines = []requestFinding{}
		}
		if err := writeJSON(out, struct {
			Operation string           `json:"operation"`
			Refused   bool             `json:"refused"`
			Findings  []requestFinding `json:"findings"`
		}{operation, !verdict.OK(), lines}); err != nil {
			return err
		}
	} else {
		if verdict.OK() {
			fmt.Fprintf(out, "%s: the body would be sent", operation)
		} else {
			fmt.Fprintf(out, "%s: validation refuses the body (%s)", operation, plural(len(verdict.Problems), "problem"))
		}
		if n := len(verdict.Accepted); n > 0 {
			fmt.Fprintf(out, "; %s the document forbids but the real API accepts", plural(n, "difference"))
		}
		fmt.Fprintln(out)
		for _, l := range lines {
			mark := "refused "
			if l.Accepted {
				mark = "accepted"
			}
			fmt.Fprintf(out, "  %s %s: %s\n", mark, l.Path, l.Message)
			if l.Accepted {
				fmt.Fprintf(out, "           request deviation: %s (%s)\n", l.Reason, l.Reference)
			}
		}
	}
	if !verdict.OK() {
		return failOnError(fmt.Errorf("validation refuses the body; chcloud commands take --no-validate to send it anyway"))
	}
	return nil
}

func formString(f *specdoc.Form) string {
	if f == nil || (f.By == "" && !f.Closest) {
		return ""
	}
	return f.String()
}
