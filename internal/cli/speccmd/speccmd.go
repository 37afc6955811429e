// Package speccmd implements `chcloud spec`: fetching the published OpenAPI document, diffing two
// versions of it, and comparing the exported Go API of two versions of gen/cloudapi. The work is
// done by package spec/drift; this package is the command line around it.
package speccmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/drift"
)

// inputError is bad input (exit 2): a document or directory that cannot be used, a bad flag value.
func inputError(err error) error { return cmdutil.UsageError(err) }

// failOnError is a check that found what its --fail-on (or the command's contract) makes a
// failure (exit 1).
func failOnError(err error) error { return &cmdutil.Error{Code: cmdutil.ExitError, Err: err} }

// classify gives a drift.InputError exit code 2 and leaves other errors (exit 1) alone.
func classify(err error) error {
	var input *drift.InputError
	if errors.As(err, &input) {
		return inputError(err)
	}
	return err
}

// Vendored is the BASE or REVISION argument that names the document embedded in this binary
// (spec/openapi.json when it was built).
const Vendored = "vendored"

const vendoredSource = "spec/openapi.json (vendored)"

// Top is how `chcloud --help` lists `chcloud spec`.
var Top = cmdutil.Top{Use: "spec", Short: "Fetch and compare the published OpenAPI document"}

// NewCommand returns `chcloud spec` with its subcommands.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   Top.Use,
		Short: Top.Short,
		Long: `Fetch and compare the ClickHouse Cloud OpenAPI document.

ClickHouse publishes a new version of the document every one to three weeks at
` + drift.PublishedURL + ` while info.version stays "1.0". These commands refresh the
vendored copy (spec/openapi.json), show what changed between two versions, and what a
regenerated gen/cloudapi means for Go users. check-response and check-request judge one
exchange with the engine the conformance suite and pre-send validation use.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newFetchCommand(f), newDiffCommand(f), newAPIDiffCommand(f), newCheckResponseCommand(f), newCheckRequestCommand(f))
	return cmd
}

func httpClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout}
}

// FetchOptions are the flags of `spec fetch`.
type FetchOptions struct {
	// F gives the streams the command reads and writes.
	F       *cmdutil.Factory
	URL     string
	Out     string
	Source  string
	Timeout time.Duration
}

func newFetchCommand(f *cmdutil.Factory) *cobra.Command {
	opts := &FetchOptions{F: f}
	cmd := &cobra.Command{
		Use:   "fetch [--url URL] [--out FILE]",
		Short: "Download the published OpenAPI document into spec/openapi.json and update spec/SOURCE",
		Long: `Download the published OpenAPI document and write it, with its SOURCE record.

The document must be an OpenAPI 3 JSON document with paths, valid, and usable by the code
generator (path parameters written /{name}, not /:name). Otherwise nothing is written and the
command exits with code 2. Both files are replaced atomically. Run it from the repository root,
or give --out.`,
		Example: `  chcloud spec fetch
  chcloud spec fetch --url https://api.clickhouse.cloud/v1 --out spec/openapi.json`,
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runFetch(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.URL, "url", drift.PublishedURL, "where the document is published")
	fl.StringVar(&opts.Out, "out", "spec/openapi.json", "the file to write")
	fl.StringVar(&opts.Source, "source", "", "the SOURCE file to update (default: SOURCE next to --out)")
	fl.DurationVar(&opts.Timeout, "timeout", drift.DefaultTimeout, "give up the download after this long")
	return cmd
}

func runFetch(cmd *cobra.Command, opts *FetchOptions) error {
	result, err := drift.Fetch(cmd.Context(), drift.FetchOptions{
		URL: opts.URL, Out: opts.Out, Source: opts.Source, Client: httpClient(opts.Timeout),
	})
	if err != nil {
		return classify(err)
	}
	doc := result.Document
	out := opts.F.IOStreams.Out
	if !result.Changed {
		fmt.Fprintf(out, "%s is up to date (sha256 %s, %d operations)\n", opts.Out, doc.SHA256, len(doc.Operations))
		return nil
	}
	fmt.Fprintf(out, "wrote %s from %s: sha256 %s, %d bytes, %d operations\n", opts.Out, opts.URL, doc.SHA256, len(doc.Raw), len(doc.Operations))
	if result.Previous != "" {
		fmt.Fprintf(out, "previous sha256 %s; run `chcloud spec diff OLD_COPY %s` or `make spec-update` to see what changed\n", result.Previous, opts.Out)
	}
	return nil
}

// DiffOptions are the arguments and flags of `spec diff`.
type DiffOptions struct {
	// F gives the streams the command reads and writes.
	F              *cmdutil.Factory
	Base, Revision string
	Format         string
	FailOn         string
	Timeout        time.Duration
}

func newDiffCommand(f *cmdutil.Factory) *cobra.Command {
	opts := &DiffOptions{F: f}
	cmd := &cobra.Command{
		Use:   "diff [BASE] [REVISION]",
		Short: "Show what changed between two versions of the OpenAPI document",
		Long: `Show what changed between two versions of the OpenAPI document.

BASE defaults to the vendored document (spec/openapi.json as embedded in this binary; the
word "vendored" names it explicitly) and REVISION to the published one at
` + drift.PublishedURL + `. Each may be a file or an http(s) URL.

The report starts with a summary (operations added, removed, moved, deprecated, out of beta;
schemas, fields, types and enum values added or removed), then the oasdiff changelog grouped as
breaking, warning and info. Key order, whitespace and the referrer token in info.contact.url are
ignored. So is notation: a 3.0 document and its 3.1 rewrite compare equal (nullable: true and
type: [T, "null"] mean the same), and an operation moved to a new path under the same operationId
is reported once, as moved. Text and markdown list an enum change repeated across operations
once, with the count; json and junit keep every entry.
A document whose paths are written /:param is compared as if they were /{param}, and the report
lists them.

Exit codes: 0 when the comparison ran (whatever it found), 1 when --fail-on found changes at
or above its level, 2 when a document cannot be read or is not valid OpenAPI.`,
		Example: `  chcloud spec diff                                   # vendored vs published
  chcloud spec diff old.json spec/openapi.json --format markdown
  chcloud spec diff vendored https://api.clickhouse.cloud/v1 --fail-on breaking`,
		Args:         cobra.MaximumNArgs(2),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Base, opts.Revision = Vendored, drift.PublishedURL
			if len(args) > 0 {
				opts.Base = args[0]
			}
			if len(args) > 1 {
				opts.Revision = args[1]
			}
			return runDiff(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Format, "format", "f", string(drift.Text), "output format: text, markdown, json or junit")
	fl.StringVar(&opts.FailOn, "fail-on", "never", "exit 1 when a change has this level or higher: breaking, warning, info or never")
	fl.DurationVar(&opts.Timeout, "timeout", drift.DefaultTimeout, "give up a download after this long")
	return cmd
}

func runDiff(cmd *cobra.Command, opts *DiffOptions) error {
	format, err := drift.ParseFormat(opts.Format)
	if err != nil {
		return inputError(fmt.Errorf("--format: %w", err))
	}
	failOn, err := drift.ParseLevel(opts.FailOn)
	if err != nil {
		return inputError(fmt.Errorf("--fail-on: %w", err))
	}
	base, revision, err := loadBoth(cmd, opts.Base, opts.Revision, httpClient(opts.Timeout))
	if err != nil {
		return err
	}
	report, err := drift.Compare(cmd.Context(), base, revision)
	if err != nil {
		return err
	}
	if err := drift.Render(opts.F.IOStreams.Out, report, format, drift.RenderOptions{FailOn: failOn}); err != nil {
		return err
	}
	if failOn != drift.Never {
		if n := report.AtLeast(failOn); n > 0 {
			return failOnError(fmt.Errorf("%d changes at level %s or higher (--fail-on %s)", n, failOn, failOn))
		}
	}
	return nil
}

// loadBoth loads the two documents at the same time: parsing one takes about half a second.
// A base that cannot be loaded is reported before a revision that cannot.
func loadBoth(cmd *cobra.Command, base, revision string, client *http.Client) (*drift.Document, *drift.Document, error) {
	var (
		wg     sync.WaitGroup
		revDoc *drift.Document
		revErr error
	)
	wg.Go(func() { revDoc, revErr = loadDocument(cmd, revision, client) })
	baseDoc, baseErr := loadDocument(cmd, base, client)
	wg.Wait()
	if baseErr != nil {
		return nil, nil, baseErr
	}
	if revErr != nil {
		return nil, nil, revErr
	}
	return baseDoc, revDoc, nil
}

func loadDocument(cmd *cobra.Command, source string, client *http.Client) (*drift.Document, error) {
	if strings.EqualFold(source, Vendored) {
		doc, err := drift.Parse(spec.Document(), vendoredSource)
		return doc, classify(err)
	}
	doc, err := drift.Load(cmd.Context(), source, client)
	return doc, classify(err)
}

// APIDiffOptions are the arguments and flags of `spec apidiff`.
type APIDiffOptions struct {
	// F gives the streams the command reads and writes.
	F              *cmdutil.Factory
	OldDir, NewDir string
	Format         string
	FailOn         string
}

func newAPIDiffCommand(f *cmdutil.Factory) *cobra.Command {
	opts := &APIDiffOptions{F: f}
	cmd := &cobra.Command{
		Use:   "apidiff OLD_DIR NEW_DIR",
		Short: "Compare the exported Go API of two versions of a package (gen/cloudapi before and after go generate)",
		Long: `Compare the exported API of two versions of a Go package with golang.org/x/exp/apidiff.

OLD_DIR is typically a copy of gen/cloudapi taken before regeneration, NEW_DIR gen/cloudapi.
Imports are resolved in NEW_DIR's module. The report lists incompatible changes (which can break
a user's build) and compatible additions, and says what the next release's version number must
be. Test files are ignored.`,
		Example: `  old=$(mktemp -d) && cp gen/cloudapi/*.go "$old" && go generate ./... &&
  chcloud spec apidiff "$old" gen/cloudapi`,
		Args:         cobra.ExactArgs(2),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.OldDir, opts.NewDir = args[0], args[1]
			return runAPIDiff(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")
	fl.StringVar(&opts.FailOn, "fail-on", "never", "exit 1 on: incompatible (changes), compatible (any change) or never")
	return cmd
}

func runAPIDiff(cmd *cobra.Command, opts *APIDiffOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return inputError(fmt.Errorf("--format: unknown format %q: want text or json", opts.Format))
	}
	if opts.FailOn != "incompatible" && opts.FailOn != "compatible" && opts.FailOn != "never" {
		return inputError(fmt.Errorf("--fail-on: unknown value %q: want incompatible, compatible or never", opts.FailOn))
	}
	report, err := drift.CompareGoAPI(cmd.Context(), opts.OldDir, opts.NewDir)
	if err != nil {
		return inputError(err)
	}
	out := opts.F.IOStreams.Out
	if opts.Format == "json" {
		err = writeJSON(out, report)
	} else {
		err = report.WriteText(out)
	}
	if err != nil {
		return err
	}
	switch {
	case opts.FailOn == "incompatible" && len(report.Incompatible) > 0,
		opts.FailOn == "compatible" && len(report.Incompatible)+len(report.Compatible) > 0:
		return failOnError(fmt.Errorf("%s", report.Advice()))
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
