package drift

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Format is an output format of a Report.
type Format string

// The formats Render writes.
const (
	Text     Format = "text"     // for a terminal (the default)
	Markdown Format = "markdown" // for a GitHub issue or pull request
	JSON     Format = "json"     // the Report itself, for scripts
	JUnit    Format = "junit"    // one test case per change, for CI test reports
)

// Formats lists the formats in the order help texts show them.
var Formats = []Format{Text, Markdown, JSON, JUnit}

// ParseFormat reads a format name.
func ParseFormat(name string) (Format, error) {
	for _, f := range Formats {
		if strings.EqualFold(name, string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q: want text, markdown, json or junit", name)
}

// DefaultMarkdownLimit keeps a markdown report under GitHub's 65536-character limit for an issue
// body, with room to spare.
const DefaultMarkdownLimit = 60000

// RenderOptions tune Render.
type RenderOptions struct {
	// FailOn is the level from which a change is a failure: JUnit marks those test cases failed,
	// and text and markdown say how many there are. Zero means Never.
	FailOn Level
	// MarkdownLimit caps the size of a markdown report in bytes; lists are cut short with a count
	// of what was left out. Zero means DefaultMarkdownLimit; negative means no limit.
	MarkdownLimit int
}

// Render writes the report in the given format.
func Render(w io.Writer, r *Report, format Format, opts RenderOptions) error {
	if opts.FailOn == 0 {
		opts.FailOn = Never
	}
	var err error
	switch format {
	case Text, "":
		err = renderText(w, r, opts)
	case Markdown:
		err = renderMarkdown(w, r, opts)
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	case JUnit:
		err = renderJUnit(w, r, opts)
	default:
		return fmt.Errorf("drift: unknown format %q", format)
	}
	if err != nil {
		return fmt.Errorf("drift: writing the %s report: %w", format, err)
	}
	return nil
}

// section is one list of the summary, in the order people read them.
type section struct {
	title string
	items []string
}

func (s Summary) sections() []section {
	return []section{
		{"Operations added", stringsOf(s.OperationsAdded)},
		{"Operations removed", stringsOf(s.OperationsRemoved)},
		{"Operations moved", stringsOf(s.OperationsMoved)},
		{"Operations deprecated", stringsOf(s.OperationsDeprecated)},
		{"Beta graduated", stringsOf(s.BetaGraduated)},
		{"Schemas added", s.SchemasAdded},
		{"Schemas removed", s.SchemasRemoved},
		{"Fields added", stringsOf(s.FieldsAdded)},
		{"Fields removed", stringsOf(s.FieldsRemoved)},
		{"Type changes", stringsOf(s.TypeChanges)},
		{"Enum values added", stringsOf(s.EnumValuesAdded)},
		{"Enum values removed", stringsOf(s.EnumValuesRemoved)},
	}
}

func stringsOf[T fmt.Stringer](items []T) []string {
	out := make([]string, len(items))
	for i, item := range items {
		out[i] = item.String()
	}
	return out
}

func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func describeSide(d DocumentInfo) string {
	return fmt.Sprintf("%s (sha256 %s, %d bytes, %d operations, %d schemas)", d.Source, shortSHA(d.SHA256), d.Bytes, d.Operations, d.Schemas)
}

// notes are what a reader needs to know about the documents before the changes: paths written
// /:param, and documents written in different OpenAPI versions.
func notes(r *Report) []string {
	var notes []string
	if r.Base.OpenAPI != "" && r.Revision.OpenAPI != "" && r.Base.OpenAPI != r.Revision.OpenAPI {
		notes = append(notes, fmt.Sprintf("The base document is written in OpenAPI %s and the revision in %s; both were compared in one notation, "+
			"so nullable: true against type: [T, \"null\"], const against a one-value enum and the like are not reported as changes",
			r.Base.OpenAPI, r.Revision.OpenAPI))
	}
	for _, side := range []struct {
		name string
		info DocumentInfo
	}{{"base", r.Base}, {"revision", r.Revision}} {
		if len(side.info.ColonPaths) == 0 {
			continue
		}
		notes = append(notes, fmt.Sprintf("The %s document writes %s with /:param segments, which the code generator cannot use; they were compared as /{param}: %s",
			side.name, plural(len(side.info.ColonPaths), "path"), strings.Join(side.info.ColonPaths, ", ")))
	}
	return notes
}

func verdict(r *Report, failOn Level) string {
	if r.Unchanged {
		return "No changes (formatting and the info.contact.url referrer token are ignored)."
	}
	s := fmt.Sprintf("%d breaking, %d warning, %d info %s.", r.Count(Breaking), r.Count(Warning), r.Count(Info), pluralWord(len(r.Changes), "change"))
	if failOn != Never {
		s += fmt.Sprintf(" %d at or above --fail-on %s.", r.AtLeast(failOn), failOn)
	}
	if len(r.Changes) == 0 {
		s += " (The documents differ only in ways no compatibility rule covers, such as descriptions or examples.)"
	}
	return s
}

func renderText(w io.Writer, r *Report, opts RenderOptions) error {
	var b strings.Builder
	fmt.Fprintf(&b, "base:     %s\nrevision: %s\n", describeSide(r.Base), describeSide(r.Revision))
	for _, note := range notes(r) {
		fmt.Fprintf(&b, "note: %s\n", note)
	}
	fmt.Fprintf(&b, "\n%s\n", verdict(r, opts.FailOn))
	if !r.Unchanged {
		b.WriteString("\nSummary\n")
		for _, s := range r.Summary.sections() {
			fmt.Fprintf(&b, "  %-22s %4d\n", strings.ToLower(s.title), len(s.items))
		}
		for _, s := range r.Summary.sections() {
			if len(s.items) == 0 {
				continue
			}
			fmt.Fprintf(&b, "\n%s (%d)\n", s.title, len(s.items))
			for _, item := range s.items {
				fmt.Fprintf(&b, "  %s\n", item)
			}
		}
		for _, level := range []Level{Breaking, Warning, Info} {
			fmt.Fprintf(&b, "\nChangelog: %s (%d)\n", levelTitle(level), r.Count(level))
			for _, g := range groupChanges(r.Changes, level) {
				fmt.Fprintf(&b, "  %s\n    %s%s [%s]\n", g.subject(), g.Text, g.where(), g.ID)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// budget writes markdown until the limit is near, then counts what it leaves out.
type budget struct {
	b       strings.Builder
	limit   int
	omitted int
}

// reserve is kept free for the closing lines that say what was left out.
const reserve = 400

func (bu *budget) line(format string, args ...any) bool {
	s := fmt.Sprintf(format, args...) + "\n"
	if bu.limit > 0 && bu.b.Len()+len(s) > bu.limit-reserve {
		bu.omitted++
		return false
	}
	bu.b.WriteString(s)
	return true
}

// always writes whatever the budget: headings and closing tags keep the markdown well formed.
func (bu *budget) always(format string, args ...any) {
	fmt.Fprintf(&bu.b, format+"\n", args...)
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

func renderMarkdown(w io.Writer, r *Report, opts RenderOptions) error {
	limit := opts.MarkdownLimit
	if limit == 0 {
		limit = DefaultMarkdownLimit
	}
	bu := &budget{limit: limit}
	bu.always("## OpenAPI drift: %s", strings.TrimSuffix(verdict(r, opts.FailOn), "."))
	bu.always("")
	bu.always("| | document | sha256 | operations | schemas |")
	bu.always("|---|---|---|---:|---:|")
	bu.always("| base | `%s` | `%s` | %d | %d |", mdEscape(r.Base.Source), shortSHA(r.Base.SHA256), r.Base.Operations, r.Base.Schemas)
	bu.always("| revision | `%s` | `%s` | %d | %d |", mdEscape(r.Revision.Source), shortSHA(r.Revision.SHA256), r.Revision.Operations, r.Revision.Schemas)
	for _, note := range notes(r) {
		bu.always("")
		bu.always("> [!WARNING]\n> %s", mdEscape(note))
	}
	if r.Unchanged {
		_, err := io.WriteString(w, bu.b.String())
		return err
	}
	bu.always("")
	bu.always("### Summary")
	bu.always("")
	bu.always("| change | count |")
	bu.always("|---|---:|")
	for _, s := range r.Summary.sections() {
		bu.always("| %s | %d |", s.title, len(s.items))
	}
	bu.always("| Changelog: breaking / warning / info | %d / %d / %d |", r.Count(Breaking), r.Count(Warning), r.Count(Info))
	for _, s := range r.Summary.sections() {
		if len(s.items) == 0 {
			continue
		}
		bu.always("")
		bu.always("<details%s><summary><b>%s (%d)</b></summary>\n", openIf(len(s.items) <= 20), s.title, len(s.items))
		for _, item := range s.items {
			bu.line("- `%s`", strings.ReplaceAll(item, "`", "'"))
		}
		bu.always("\n</details>")
	}
	bu.always("")
	bu.always("### Changelog")
	for _, level := range []Level{Breaking, Warning, Info} {
		n := r.Count(level)
		if n == 0 {
			continue
		}
		bu.always("")
		bu.always("<details%s><summary><b>%s (%d)</b></summary>\n", openIf(level == Breaking), levelTitle(level), n)
		for _, g := range groupChanges(r.Changes, level) {
			bu.line("- **%s**: %s%s `%s`", mdEscape(g.subject()), mdEscape(g.Text), g.where(), g.ID)
		}
		bu.always("\n</details>")
	}
	if bu.omitted > 0 {
		bu.always("")
		bu.always("_%d more lines were left out to fit a GitHub issue; run `chcloud spec diff` for the full report._", bu.omitted)
	}
	_, err := io.WriteString(w, bu.b.String())
	return err
}

// changeGroup is one line of the changelog in text and markdown: a change, or the same enum
// change in several operations.
type changeGroup struct {
	Change          // the first of them
	others []Change // the same change in other operations
}

// groupChanges returns the changes of one level in order, with each enum change (a value added
// or removed, the enum set or dropped) that has the same id and text (so the same property path,
// value and response status) in several operations folded into the first. A new value of a
// shared enum otherwise fills a screen with one line per operation that returns it. JSON and
// JUnit keep every entry.
func groupChanges(changes []Change, level Level) []changeGroup {
	var groups []changeGroup
	index := map[[2]string]int{}
	for _, c := range changes {
		if c.Level != level {
			continue
		}
		if strings.Contains(c.ID, "enum") {
			key := [2]string{c.ID, c.Text}
			if i, ok := index[key]; ok {
				groups[i].others = append(groups[i].others, c)
				continue
			}
			index[key] = len(groups)
		}
		groups = append(groups, changeGroup{Change: c})
	}
	return groups
}

// shownOperations is how many operations a folded change names before it only counts.
const shownOperations = 4

func (g changeGroup) subject() string {
	if len(g.others) == 0 {
		return g.Subject()
	}
	names := []string{}
	for _, c := range append([]Change{g.Change}, g.others...)[:min(shownOperations, len(g.others)+1)] {
		name := c.OperationID
		if name == "" {
			name = strings.TrimSpace(c.Method + " " + c.Path)
		}
		names = append(names, name)
	}
	if more := len(g.others) + 1 - len(names); more > 0 {
		names = append(names, fmt.Sprintf("and %d more", more))
	}
	return fmt.Sprintf("%d operations: %s", len(g.others)+1, strings.Join(names, ", "))
}

// where is the text's ending for a folded change: " in 12 operations".
func (g changeGroup) where() string {
	if len(g.others) == 0 {
		return ""
	}
	return fmt.Sprintf(" in %d operations", len(g.others)+1)
}

func openIf(open bool) string {
	if open {
		return " open"
	}
	return ""
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// renderJUnit writes one suite per level and one test case per change; a change at or above
// FailOn is a failed test case, so CI test reports show it.
func renderJUnit(w io.Writer, r *Report, opts RenderOptions) error {
	out := junitSuites{Name: "chcloud spec diff"}
	for _, level := range []Level{Breaking, Warning, Info} {
		suite := junitSuite{Name: level.String()}
		for _, c := range r.Changes {
			if c.Level != level {
				continue
			}
			tc := junitCase{Classname: c.Subject(), Name: fmt.Sprintf("%s: %s", c.ID, c.Text)}
			if c.Level >= opts.FailOn {
				tc.Failure = &junitFailure{Message: c.Text, Type: c.Level.String(), Text: c.Comment}
				suite.Failures++
			}
			suite.Cases = append(suite.Cases, tc)
		}
		suite.Tests = len(suite.Cases)
		out.Tests += suite.Tests
		out.Failures += suite.Failures
		out.Suites = append(out.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func levelTitle(l Level) string {
	name := l.String()
	return strings.ToUpper(name[:1]) + name[1:]
}

func plural(n int, word string) string { return fmt.Sprintf("%d %s", n, pluralWord(n, word)) }

func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
