package findings

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/chcloud-dev/chcloud/spec"
)

// Outcome is what happened to one operation in a run.
type Outcome string

// The outcomes, from best to worst. An operation with new findings or an error fails the run.
const (
	Passed      Outcome = "passed"       // called, no findings
	Known       Outcome = "known"        // called, every finding explained by a known deviation
	Skipped     Outcome = "skipped"      // not called; SkipReason says why
	NewFindings Outcome = "new-findings" // called, at least one finding no deviation explains
	Errored     Outcome = "error"        // the scenario could not run (setup failed, cassette missing, ...)
)

// OperationResult is the outcome of one operation.
type OperationResult struct {
	OperationID string    `json:"operationId"`
	Method      string    `json:"method"`
	Path        string    `json:"path"`
	Tags        []string  `json:"tags,omitempty"`
	Beta        bool      `json:"beta,omitempty"`
	Mutating    bool      `json:"mutating,omitempty"`
	Outcome     Outcome   `json:"outcome"`
	Statuses    []int     `json:"statuses,omitempty"` // HTTP statuses the operation answered in this run
	SkipReason  string    `json:"skipReason,omitempty"`
	Error       string    `json:"error,omitempty"`
	Findings    []Finding `json:"findings,omitempty"`
	// ErrorContract is what the operation's negative scenarios saw (nil: none ran).
	ErrorContract *ErrorContract `json:"errorContract,omitempty"`
}

// NewResult builds the result for one operation from what the run observed.
func NewResult(op spec.Operation, statuses []int, fs []Finding, skipReason string, err error) OperationResult {
	r := OperationResult{
		OperationID: op.ID, Method: op.Method, Path: op.Path, Tags: op.Tags, Beta: op.Beta,
		Mutating: op.Mutating(), Statuses: statuses, Findings: fs,
	}
	Sort(r.Findings)
	switch {
	case err != nil:
		r.Outcome, r.Error = Errored, err.Error()
	case skipReason != "":
		r.Outcome, r.SkipReason = Skipped, skipReason
	case len(New(fs)) > 0:
		r.Outcome = NewFindings
	case len(fs) > 0:
		r.Outcome = Known
	default:
		r.Outcome = Passed
	}
	return r
}

// Report is a whole run: what drift.json holds.
type Report struct {
	SpecSHA256 string `json:"specSha256"`
	Mode       string `json:"mode"`             // replay, record or live
	Target     string `json:"target,omitempty"` // what answered: "cloudtest <version>", a URL, or the cassettes
	// Source says in one sentence where the answers came from and when ("replayed from
	// cassettes recorded against the fake server cloudtest 0.1.0 on 2026-12-04; ...", "live,
	// api.clickhouse.cloud, 2026-12-04"); RealAPI whether they are the real API's answers.
	Source     string            `json:"source"`
	RealAPI    bool              `json:"realApi"`
	FullRun    bool              `json:"fullRun"` // every operation was selected; only then is staleness meaningful
	Summary    Summary           `json:"summary"`
	Operations []OperationResult `json:"operations"`
	Stale      []Deviation       `json:"staleDeviations,omitempty"`
	// RelaxedOneOfs are the schemas of the document whose oneOf no sensible value can satisfy
	// (open alternatives that require nothing and share no property), read as anyOf when
	// validating: defects of the document itself, worth reporting upstream.
	RelaxedOneOfs []string `json:"relaxedOneOfs,omitempty"`
}

// Summary counts a run.
type Summary struct {
	Operations  int                `json:"operations"`
	Passed      int                `json:"passed"`
	NewFindings int                `json:"withNewFindings"`
	Known       int                `json:"knownOnly"`
	Skipped     int                `json:"skipped"`
	Errors      int                `json:"errors"`
	ByKind      map[Kind]KindCount `json:"byKind,omitempty"`
	// Negative counts the operations' error contracts by their outcome.
	Negative NegativeSummary `json:"negative"`
}

// NegativeSummary counts the negative scenarios of a run.
type NegativeSummary struct {
	Operations  int `json:"operations"` // operations with an error contract
	Passed      int `json:"passed"`
	NewFindings int `json:"withNewFindings"`
	Known       int `json:"knownOnly"`
	Skipped     int `json:"skipped"`
	Errors      int `json:"errors"`
	// Seen counts the answers by scenario and by what came back ("404 NOT_FOUND").
	Seen map[string]map[string]int `json:"seen,omitempty"`
}

// KindCount counts the findings of one kind.
type KindCount struct {
	New   int `json:"new"`
	Known int `json:"known"`
}

// Summarize fills in r.Summary from r.Operations and returns it.
func (r *Report) Summarize() Summary {
	s := Summary{Operations: len(r.Operations), ByKind: map[Kind]KindCount{}}
	for _, op := range r.Operations {
		switch op.Outcome {
		case Passed:
			s.Passed++
		case NewFindings:
			s.NewFindings++
		case Known:
			s.Known++
		case Skipped:
			s.Skipped++
		case Errored:
			s.Errors++
		}
		for _, f := range op.AllFindings() {
			c := s.ByKind[f.Kind]
			if f.Known != nil {
				c.Known++
			} else {
				c.New++
			}
			s.ByKind[f.Kind] = c
		}
		if ec := op.ErrorContract; ec != nil {
			n := &s.Negative
			n.Operations++
			switch ec.Outcome {
			case Passed:
				n.Passed++
			case NewFindings:
				n.NewFindings++
			case Known:
				n.Known++
			case Skipped:
				n.Skipped++
			case Errored:
				n.Errors++
			}
			for _, p := range ec.Probes {
				if n.Seen == nil {
					n.Seen = map[string]map[string]int{}
				}
				if n.Seen[p.Scenario] == nil {
					n.Seen[p.Scenario] = map[string]int{}
				}
				n.Seen[p.Scenario][p.Seen()]++
			}
		}
	}
	r.Summary = s
	return s
}

// Failed reports whether the run has new findings or errors, negative scenarios included.
func (r *Report) Failed() bool {
	n := r.Summary.Negative
	return r.Summary.NewFindings > 0 || r.Summary.Errors > 0 || n.NewFindings > 0 || n.Errors > 0
}

// AllFindings returns the operation's findings, those of its negative scenarios after them.
func (o OperationResult) AllFindings() []Finding {
	if o.ErrorContract == nil {
		return o.Findings
	}
	all := slices.Clone(o.Findings)
	for _, p := range o.ErrorContract.Probes {
		all = append(all, p.Findings...)
	}
	return all
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteSummary writes the few lines printed at the end of a run.
func (r *Report) WriteSummary(w io.Writer) error {
	s := r.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "\nconformance, %s\n", orText(r.Source, string(r.Mode)))
	fmt.Fprintf(&b, "%d operations: %d passed, %d with new findings, %d known deviations only, %d skipped, %d errors\n",
		s.Operations, s.Passed, s.NewFindings, s.Known, s.Skipped, s.Errors)
	for _, k := range Kinds {
		if c, ok := s.ByKind[k]; ok {
			fmt.Fprintf(&b, "  %-24s %4d new %4d known\n", k, c.New, c.Known)
		}
	}
	if n := s.Negative; n.Operations > 0 {
		fmt.Fprintf(&b, "error contracts of %d operations: %d passed, %d with new findings, %d known deviations only, %d skipped, %d errors\n",
			n.Operations, n.Passed, n.NewFindings, n.Known, n.Skipped, n.Errors)
	}
	for _, op := range r.Operations {
		for _, f := range New(op.AllFindings()) {
			fmt.Fprintf(&b, "  NEW %s\n", f)
		}
		if op.Outcome == Errored {
			fmt.Fprintf(&b, "  ERROR %s: %s\n", op.OperationID, op.Error)
		}
		if ec := op.ErrorContract; ec != nil && ec.Outcome == Errored {
			fmt.Fprintf(&b, "  ERROR %s (negative): %s\n", op.OperationID, orText(ec.Error, "a probe failed"))
		}
	}
	if len(r.Stale) > 0 {
		fmt.Fprintf(&b, "  %d known deviations matched nothing in this run (stale: see drift.md)\n", len(r.Stale))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes drift.md: a summary, one row per operation, then the details.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	s := r.Summary
	if r.RealAPI {
		b.WriteString("# Conformance: the ClickHouse Cloud API against its published document\n\n")
	} else {
		b.WriteString("# Conformance of recorded fake answers (not the real API) against the published document\n\n")
	}
	fmt.Fprintf(&b, "Answers: %s.\n\n", orText(r.Source, "mode "+r.Mode))
	fmt.Fprintf(&b, "Mode `%s`", r.Mode)
	if r.Target != "" {
		fmt.Fprintf(&b, " against %s", r.Target)
	}
	fmt.Fprintf(&b, "; document sha256 `%s`.\n\n", r.SpecSHA256)
	fmt.Fprintf(&b, "| operations | passed | with new findings | known deviations only | skipped | errors |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d |\n\n", s.Operations, s.Passed, s.NewFindings, s.Known, s.Skipped, s.Errors)
	if len(s.ByKind) > 0 {
		b.WriteString("| kind | new | known |\n|---|---|---|\n")
		for _, k := range Kinds {
			if c, ok := s.ByKind[k]; ok {
				fmt.Fprintf(&b, "| %s | %d | %d |\n", k, c.New, c.Known)
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("## Operations\n\n| operation | call | outcome | statuses | findings |\n|---|---|---|---|---|\n")
	for _, op := range r.Operations {
		var notes []string
		for _, f := range op.Findings {
			note := string(f.Kind)
			if f.Path != "" {
				note += " `" + f.Path + "`"
			}
			if f.Known != nil {
				note += " (known)"
			}
			notes = append(notes, note)
		}
		if op.SkipReason != "" {
			notes = append(notes, "skipped: "+op.SkipReason)
		}
		if op.Error != "" {
			notes = append(notes, "error: "+op.Error)
		}
		beta := ""
		if op.Beta {
			beta = " (beta)"
		}
		fmt.Fprintf(&b, "| `%s`%s | %s `%s` | %s | %s | %s |\n", op.OperationID, beta, op.Method, op.Path,
			op.Outcome, joinInts(op.Statuses), cell(strings.Join(notes, "; ")))
	}
	r.writeErrorContracts(&b)
	b.WriteString("\n## Findings\n\n")
	listed := false
	knownNegative := map[string]int{}
	for _, op := range r.Operations {
		for _, f := range op.AllFindings() {
			if f.Scenario != "" && f.Known != nil {
				// Hundreds of unknown ids answered 404 say one thing: count them, drift.json lists each.
				knownNegative[fmt.Sprintf("`%s` %d %s", f.Scenario, f.Status, f.Kind)]++
				continue
			}
			listed = true
			state := "**new**"
			if f.Known != nil {
				state = "known: " + f.Known.Reason + " ([reference](" + f.Known.Reference + "))"
			}
			path := ""
			if f.Path != "" {
				path = " `" + f.Path + "`"
			}
			fmt.Fprintf(&b, "- `%s` %d %s%s: %s. %s\n", f.OperationID, f.Status, f.Kind, path, cell(f.Detail), cell(state))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(knownNegative)) {
		listed = true
		fmt.Fprintf(&b, "- %s: %d known findings of negative scenarios (each in drift.json)\n", k, knownNegative[k])
	}
	if !listed {
		b.WriteString("None.\n")
	}
	if len(r.RelaxedOneOfs) > 0 {
		b.WriteString("\n## Document notes\n\nThese oneOf schemas list alternatives that are open objects, require nothing and share " +
			"no property, so any value written for one fits them all and a strict oneOf refuses it. Answers and requests " +
			"are validated as if they were anyOf (spec/README.md); the document should say anyOf or add `required`.\n\n")
		for _, where := range r.RelaxedOneOfs {
			fmt.Fprintf(&b, "- `%s`\n", where)
		}
	}
	if len(r.Stale) > 0 {
		b.WriteString("\n## Stale known deviations\n\nThese entries of known-deviations.yaml matched no finding in this run.\n\n")
		for _, d := range r.Stale {
			path := ""
			if d.Path != "" {
				path = " `" + d.Path + "`"
			}
			status := ""
			if d.Status != 0 {
				status = fmt.Sprintf(" %d", d.Status)
			}
			fmt.Fprintf(&b, "- `%s`%s %s%s: %s\n", d.Operation, status, d.Kind, path, cell(d.Reason))
		}
	}
	_, err := io.WriteString(w, capMarkdown(b.String(), MaxMarkdown))
	return err
}

// MaxMarkdown bounds drift.md: the nightly job posts it as a GitHub issue, whose body GitHub
// refuses beyond 65,536 characters. The summary comes first, so a cut loses only detail.
const MaxMarkdown = 65000

// capMarkdown cuts s at a line boundary so that it and the note saying so fit in max bytes.
func capMarkdown(s string, max int) string {
	if len(s) <= max {
		return s
	}
	note := func(left int) string {
		return fmt.Sprintf("\n\n**Cut here**: %d more characters of detail did not fit the %d-character limit of a GitHub issue; drift.json has everything.\n", left, max)
	}
	keep := max - len(note(len(s)))
	if i := strings.LastIndexByte(s[:keep], '\n'); i > 0 {
		keep = i
	}
	return s[:keep] + note(len(s)-keep)
}

// writeErrorContracts writes the error-contract section: what the negative scenarios saw, in
// sum and then per operation.
func (r *Report) writeErrorContracts(b *strings.Builder) {
	n := r.Summary.Negative
	if n.Operations == 0 {
		return
	}
	b.WriteString("\n## Error contracts\n\nNegative scenarios (label `negative`): an id that names nothing, a body that breaks one " +
		"declared constraint, a wrong secret or a disabled key. Each answer is judged like any other, then against the " +
		"contract: the status the scenario calls for, `CODE: message` with the status's CODE, and what the SDK makes of it.\n\n")
	fmt.Fprintf(b, "| operations | passed | with new findings | known deviations only | skipped | errors |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(b, "| %d | %d | %d | %d | %d | %d |\n\n", n.Operations, n.Passed, n.NewFindings, n.Known, n.Skipped, n.Errors)
	b.WriteString("| scenario | answers seen |\n|---|---|\n")
	for _, sc := range Scenarios {
		seen := n.Seen[sc]
		if len(seen) == 0 {
			continue
		}
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(seen)) {
			parts = append(parts, fmt.Sprintf("%s × %d", k, seen[k]))
		}
		fmt.Fprintf(b, "| %s | %s |\n", sc, cell(strings.Join(parts, ", ")))
	}
	var proposals []string
	b.WriteString("\n| operation | unknown ID | invalid body | bad auth | verdict |\n|---|---|---|---|---|\n")
	for _, op := range r.Operations {
		ec := op.ErrorContract
		if ec == nil {
			continue
		}
		unknown := probeCell(ec.Probe(ScenarioUnknownID))
		invalid := probeCell(ec.Probe(ScenarioInvalidBody))
		if p := ec.Probe(ScenarioInvalidBody); p != nil && p.Field != "" && p.Skip == "" {
			invalid += " `" + p.Field + "` " + p.Rule
		}
		var auth []string
		for _, sc := range []string{ScenarioWrongSecret, ScenarioDisabledKey} {
			if p := ec.Probe(sc); p != nil {
				auth = append(auth, sc+": "+probeCell(p))
			}
		}
		verdict := string(ec.Outcome)
		if ec.Error != "" {
			verdict += ": " + ec.Error
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", op.OperationID, cell(unknown), cell(invalid), cell(orText(strings.Join(auth, "; "), "-")), cell(verdict))
		for _, p := range ec.Probes {
			for _, f := range p.Findings {
				if f.Kind == ConstraintNotEnforced {
					proposals = append(proposals, fmt.Sprintf("- `%s` `%s` %s: %s", op.OperationID, f.Path, p.Rule, cell(ProposeRequestDeviation(op.OperationID, Violation{Path: p.Field, Rule: p.Rule}))))
				}
			}
		}
	}
	if len(proposals) > 0 {
		b.WriteString("\n### Constraints the service does not enforce\n\nEach line proposes the entry for spec/specdoc/request-deviations.yaml.\n\n")
		b.WriteString(strings.Join(proposals, "\n") + "\n")
	}
}

// probeCell is a probe's cell of the error-contract table: what came back and its verdict.
func probeCell(p *Probe) string {
	if p == nil {
		return "-"
	}
	if p.Skip != "" {
		return "skipped: " + p.Skip
	}
	s := p.Seen()
	if p.Verdict != Passed {
		s += " (" + string(p.Verdict) + ")"
	}
	return s
}

// WriteFiles writes drift.json and drift.md into dir, creating it.
func (r *Report) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("findings: report directory: %w", err)
	}
	for name, write := range map[string]func(io.Writer) error{"drift.json": r.WriteJSON, "drift.md": r.WriteMarkdown} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("findings: %w", err)
		}
		if err := write(f); err != nil {
			f.Close()
			return fmt.Errorf("findings: writing %s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("findings: writing %s: %w", name, err)
		}
	}
	return nil
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// cell keeps text from breaking a Markdown table row.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
