// Package api is `chcloud api`: any operation of the published document, by operationId or by
// METHOD PATH, with parameters and a body checked against the document before anything is sent.
// It is how every operation without a curated command stays reachable.
package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
	"github.com/chcloud-dev/chcloud/spec"
)

// Options are the inputs of `chcloud api`.
type Options struct {
	F *cmdutil.Factory

	Args       []string // OPERATION_ID, or METHOD PATH
	Params     []string // -p name=value: path and query parameters
	Fields     []string // -f key=value, typed
	RawFields  []string // --raw-field key=value, strings
	Input      string   // --input FILE or "-"
	NoValidate bool
	List       bool
}

// Top is how `chcloud --help` lists `chcloud api`.
var Top = cmdutil.Top{Use: "api {OPERATION_ID | METHOD PATH} [flags]", Short: "Call any API operation"}

// NewCommand wires `chcloud api`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   Top.Use,
		Short: Top.Short,
		Long: `Call any operation of the ClickHouse Cloud API document, by its operationId or by method and path.

Path and query parameters come from -p name=value (repeat it for a list); organizationId defaults
to your organization. The body comes from --input FILE (or - for stdin), or from fields:
-f key=value reads numbers, true/false/null and JSON arrays/objects as such; --raw-field always
sends a string; nest with dots (-f ipAccessList.add[]='{"source":"10.0.0.1"}').
Everything is checked against the document before it is sent; --no-validate skips that.
Prints the response body; --jq filters it.`,
		Example: `  chcloud api --list
  chcloud api instanceGetList -p filter=tag:env=prod
  chcloud api GET /v1/organizations/{organizationId}/services/SERVICE_ID/backupConfiguration
  chcloud api upgradeWindowUpdate -p serviceId=SERVICE_ID -f weekday=3 -f startHourUtc=12
  chcloud api instanceUpdate -p serviceId=SERVICE_ID --input patch.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if opts.List && len(args) == 0 {
				return nil
			}
			if len(args) < 1 || len(args) > 2 {
				return cmdutil.UsageErrorf("expected OPERATION_ID or METHOD PATH\nusage: %s", cmd.UseLine())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&opts.Params, "param", "p", nil, "path or query parameter name=value")
	fl.StringArrayVarP(&opts.Fields, "field", "f", nil, "body field key=value (typed)")
	fl.StringArrayVar(&opts.RawFields, "raw-field", nil, "body field key=value (always a string)")
	fl.StringVar(&opts.Input, "input", "", "read the request body from a file, or - for stdin")
	fl.BoolVar(&opts.NoValidate, "no-validate", false, NoValidateHelp+" (parameters and body)")
	fl.BoolVar(&opts.List, "list", false, "list every operation of the API document")
	f.ExplainErrors(cmd)
	cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ops, _ := spec.Operations()
		ids := make([]string, 0, len(ops))
		for _, op := range ops {
			ids = append(ids, op.ID+"\t"+op.Summary)
		}
		return ids, cobra.ShellCompDirectiveNoFileComp
	}
	return cmd
}

// Run resolves the operation, builds and checks the request, sends it through the SDK (auth,
// rate limiting, retries) and prints the answer.
func Run(ctx context.Context, opts *Options) error {
	f := opts.F
	if opts.List {
		return listOperations(f)
	}
	op, pathParams, err := findOperation(opts.Args)
	if err != nil {
		return cmdutil.UsageErrorf("%w", err)
	}
	query := url.Values{}
	for _, p := range opts.Params {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return cmdutil.UsageErrorf("-p %q: expected name=value", p)
		}
		switch {
		case slices.Contains(op.PathParams, name):
			pathParams[name] = value
		case slices.Contains(op.QueryParams, name) || opts.NoValidate:
			query.Add(name, value)
		default:
			return cmdutil.UsageErrorf("%s has no parameter %q (path: %s; query: %s)", op.ID, name,
				listOrNone(op.PathParams), listOrNone(op.QueryParams))
		}
	}
	body, err := opts.body(op)
	if err != nil {
		return err
	}
	if slices.Contains(op.PathParams, "organizationId") && pathParams["organizationId"] == "" {
		org, err := f.OrgID(ctx)
		if err != nil {
			return err
		}
		pathParams["organizationId"] = org
	}
	for _, name := range op.PathParams {
		if pathParams[name] == "" {
			return cmdutil.UsageErrorf("%s needs the path parameter %q: add -p %s=VALUE", op.ID, name, name)
		}
	}
	path := expandPath(op.Path, pathParams)
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	// The request is built only to refuse a path or method net/http would, and for its header.
	req, err := http.NewRequestWithContext(ctx, op.Method, "http://validation.invalid"+path, nil)
	if err != nil {
		return cmdutil.UsageErrorf("building the request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", cmdutil.ContentJSON)
	}
	if !opts.NoValidate {
		if err := validateRequest(op, pathParams, query, body); err != nil {
			return cmdutil.WithHint(cmdutil.UsageErrorf("%w", err), "see the operation in the document, or pass --no-validate to send it anyway")
		}
	}
	if f.DryRun {
		return printDryRun(ctx, f, op, path, req.Header, body)
	}
	resp, err := f.Do(ctx, op.Method, path, req.Header, body)
	if err != nil {
		return err
	}
	return printResponse(f, resp)
}

// body reads the request body from --input or the fields; nil when there is none.
func (opts *Options) body(op spec.Operation) ([]byte, error) {
	hasFields := len(opts.Fields)+len(opts.RawFields) > 0
	if opts.Input != "" && hasFields {
		return nil, cmdutil.UsageErrorf("use either --input or -f/--raw-field, not both")
	}
	var body []byte
	switch {
	case opts.Input == "-":
		b, err := io.ReadAll(opts.F.IOStreams.In)
		if err != nil {
			return nil, fmt.Errorf("reading the body from stdin: %w", err)
		}
		body = b
	case opts.Input != "":
		b, err := os.ReadFile(opts.Input)
		if err != nil {
			return nil, cmdutil.UsageErrorf("reading the body: %w", err)
		}
		body = b
	case hasFields:
		m, err := buildBody(opts.Fields, opts.RawFields)
		if err != nil {
			return nil, cmdutil.UsageErrorf("%w", err)
		}
		if body, err = json.Marshal(m); err != nil {
			return nil, err
		}
	default:
		return nil, nil
	}
	if len(op.RequestBody) == 0 && !opts.NoValidate {
		return nil, cmdutil.UsageErrorf("%s takes no request body", op.ID)
	}
	if !json.Valid(body) {
		return nil, cmdutil.UsageErrorf("the request body is not valid JSON")
	}
	return body, nil
}

func printDryRun(ctx context.Context, f *cmdutil.Factory, op spec.Operation, path string, header http.Header, body []byte) error {
	base, header, err := f.RequestPreview(ctx, op.Method, path, header)
	if err != nil {
		return err
	}
	fmt.Fprint(f.IOStreams.Out, cmdutil.FormatRequest(op.Method, base, header, body))
	return nil
}

// printResponse prints a JSON answer in the chosen format, anything else (Prometheus text, a PEM
// certificate) as it came.
func printResponse(f *cmdutil.Factory, resp *cmdutil.RawResponse) error {
	if len(resp.Body) == 0 {
		return nil
	}
	if !strings.Contains(resp.ContentType, "json") || !json.Valid(resp.Body) {
		_, err := f.IOStreams.Out.Write(resp.Body)
		return err
	}
	if f.Output.Format == "table" {
		var envelope struct {
			Result json.RawMessage `json:"result"`
		}
		if json.Unmarshal(resp.Body, &envelope) == nil && envelope.Result != nil {
			return f.Print(envelope.Result, output.Table{})
		}
	}
	opts := f.Output
	if opts.Format == "" || opts.Format == "table" {
		opts.Format = "json" // a raw API answer is JSON even on a terminal, like gh api
	}
	return output.Print(f.IOStreams.Out, opts, false, json.RawMessage(resp.Body), output.Table{})
}

func listOperations(f *cmdutil.Factory) error {
	ops, err := spec.Operations()
	if err != nil {
		return err
	}
	if !f.IsTable() || f.Output.JQ != "" {
		type item struct {
			ID     string   `json:"operationId"`
			Method string   `json:"method"`
			Path   string   `json:"path"`
			Tags   []string `json:"tags"`
			Beta   bool     `json:"beta,omitempty"`
		}
		items := make([]item, len(ops))
		for i, op := range ops {
			items[i] = item{op.ID, op.Method, op.Path, op.Tags, op.Beta}
		}
		return f.Print(items, output.Table{})
	}
	// Whole paths, never shortened: "METHOD PATH" or the operation ID pasted after 'chcloud api'
	// is a working command ({organizationId} is filled in, other {placeholders} come from -p).
	tw := tabwriter.NewWriter(f.IOStreams.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tMETHOD\tPATH")
	for _, op := range ops {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", op.ID, op.Method, op.Path)
	}
	return tw.Flush()
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
