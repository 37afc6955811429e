package speccmd

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/conformance"
	"github.com/chcloud-dev/chcloud/conformance/findings"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/spec"
)

// CheckOptions are the flags of `spec check-response` and `spec check-request`.
type CheckOptions struct {
	// F gives the streams the command reads and writes.
	F           *cmdutil.Factory
	ContentType string
	Format      string
}

func newCheckResponseCommand(f *cmdutil.Factory) *cobra.Command {
	opts := &CheckOptions{F: f}
	cmd := &cobra.Command{
		Use:   "check-response OPERATION STATUS FILE",
		Short: "Judge one answer of the API as the conformance suite would",
		Long: `Judge one answer of the API against the published document, as the conformance
suite does: the same findings engine, the same known deviations (marked "known").

OPERATION is an operationId (chcloud api --list), STATUS the HTTP status of the answer,
FILE the body (- for standard input). Paste an answer from your logs and learn whether it
is drift: a union value is judged against the form it belongs to, and each finding names
its JSON path, its kind and, for a union, the form it was judged against.

Exit status: 0 when nothing new was found (known deviations do not count), 1 when
something was, 2 on bad input.`,
		Example: `  chcloud spec check-response instanceGetList 200 answer.json
  pbpaste | chcloud spec check-response clickPipeGetList 200 - --format json
  chcloud spec check-response prometheusGet 200 metrics.txt --content-type text/plain`,
		Args:         exactArgs(3, "OPERATION STATUS FILE"),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheckResponse(cmd, opts, args[0], args[1], args[2])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.ContentType, "content-type", "application/json", "the Content-Type the answer carried")
	fl.StringVar(&opts.Format, "format", "text", "output format: text or json")
	return cmd
}

func runCheckResponse(cmd *cobra.Command, opts *CheckOptions, operation, statusArg, file string) error {
	if err := checkFormat(opts.Format); err != nil {
		return err
	}
	if _, ok := spec.Lookup(operation); !ok {
		return inputError(unknownOperation(operation))
	}
	status, err := strconv.Atoi(statusArg)
	if err != nil || status < 100 || status > 599 {
		return inputError(fmt.Errorf("STATUS %q is not an HTTP status (100-599)", statusArg))
	}
	body, err := readBody(opts.F.IOStreams.In, file)
	if err != nil {
		return err
	}
	engine, err := conformance.DefaultVerdicts()
	if err != nil {
		return err
	}
	fs, err := engine.Response(operation, status, http.Header{"Content-Type": {opts.ContentType}}, body)
	if err != nil {
		return inputError(err)
	}
	newCount := len(findings.New(fs))
	out := opts.F.IOStreams.Out
	if opts.Format == "json" {
		if fs == nil {
			fs = []findings.Finding{}
		}
		if err := writeJSON(out, struct {
			Operation string             `json:"operation"`
			Status    int                `json:"status"`
			New       int                `json:"new"`
			Known     int                `json:"known"`
			Findings  []findings.Finding `json:"findings"`
		}{operation, status, newCount, len(fs) - newCount, fs}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(out, "%s %d: %s, %d new, %d known\n", operation, status, plural(len(fs), "finding"), newCount, len(fs)-newCount)
		for _, f := range fs {
			mark := "new  "
			if f.Known != nil {
				mark = "known"
			}
			fmt.Fprintf(out, "  %s %s", mark, f.Kind)
			if f.Path != "" {
				fmt.Fprintf(out, " %s", f.Path)
			}
			fmt.Fprintf(out, ": %s", f.Detail)
			if f.Form != "" {
				fmt.Fprintf(out, " [judged as %s]", f.Form)
			}
			fmt.Fprintln(out)
			if f.Known != nil {
				fmt.Fprintf(out, "        known deviation: %s (%s)\n", oneLine(f.Known.Reason), f.Known.Reference)
			}
		}
	}
	if newCount > 0 {
		return failOnError(fmt.Errorf("%s that no known deviation explains", plural(newCount, "finding")))
	}
	return nil
}

// readBody reads FILE, or standard input for "-".
func readBody(stdin io.Reader, file string) ([]byte, error) {
	var (
		body []byte
		err  error
	)
	if file == "-" {
		body, err = io.ReadAll(stdin)
	} else {
		body, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, inputError(fmt.Errorf("reading the body: %w", err))
	}
	return body, nil
}

func checkFormat(format string) error {
	if format != "text" && format != "json" {
		return inputError(fmt.Errorf("--format %q: use text or json", format))
	}
	return nil
}

func unknownOperation(id string) error {
	ops, _ := spec.Operations()
	var close []string
	for _, o := range ops {
		if strings.EqualFold(o.ID, id) || (len(id) >= 4 && strings.Contains(strings.ToLower(o.ID), strings.ToLower(id))) {
			close = append(close, o.ID)
		}
	}
	msg := fmt.Sprintf("the document has no operation %q", id)
	if len(close) > 0 && len(close) <= 8 {
		msg += " (did you mean " + strings.Join(close, ", ") + "?)"
	} else {
		msg += " (chcloud api --list shows every operationId)"
	}
	return fmt.Errorf("%s", msg)
}

func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return inputError(fmt.Errorf("%s takes %s (got %d arguments); see --help", cmd.CommandPath(), names, len(args)))
		}
		return nil
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
