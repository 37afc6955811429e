// Package output prints command results the way the caller asked: a table for people at a
// terminal, JSON (with the API's own field names) for scripts, YAML on request, or the values
// a jq expression selects.
package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/itchyny/gojq"
	"go.yaml.in/yaml/v3"
)

// Formats are the values --output accepts.
var Formats = []string{"table", "json", "yaml"}

// Options are the output flags shared by every command.
type Options struct {
	Format string // "", "table", "json" or "yaml"; "" means table on a terminal, JSON otherwise
	JQ     string // a jq expression applied to the JSON form
}

// Validate checks the flag values before any request is sent.
func (o Options) Validate() error {
	if o.Format != "" && !slices.Contains(Formats, o.Format) {
		return fmt.Errorf("invalid --output %q: use one of %s", o.Format, strings.Join(Formats, ", "))
	}
	if o.JQ != "" {
		if o.Format == "table" || o.Format == "yaml" {
			return fmt.Errorf("--jq works on JSON: it cannot be combined with --output %s", o.Format)
		}
		if _, err := gojq.Parse(o.JQ); err != nil {
			return fmt.Errorf("invalid --jq expression: %w", err)
		}
	}
	return nil
}

// Resolve returns the format to use for a stdout that is (or is not) a terminal.
func (o Options) Resolve(stdoutTTY bool) string {
	switch {
	case o.JQ != "":
		return "json"
	case o.Format != "":
		return o.Format
	case stdoutTTY:
		return "table"
	default:
		return "json"
	}
}

// Column is one column of a table: a header and a path of field names into each row.
type Column struct {
	Header string
	Path   string             // dot separated, e.g. "currentScaling.minReplicas"
	Format func(v any) string // optional; default prints scalars as-is and lists comma separated
}

// Columns reads columns written in the notation of kubectl's custom-columns, one "HEADER:path"
// a column: Columns("ID:id", "SIZE (BYTES):sizeInBytes", "ROLE:"). The header is everything
// before the last colon; an empty path gives the whole row to the column's Format (set with
// ColumnList.Format). The commands write their tables this way in Table.Spec, constants of their
// packages, so a malformed column is a programming error: it panics when the table is printed,
// and TestEveryTableRenders prints every table.
func Columns(specs ...string) ColumnList {
	cols := make(ColumnList, len(specs))
	for i, spec := range specs {
		header, path, ok := cutLast(spec, ":")
		if !ok || header == "" || strings.TrimSpace(header) != header || strings.ContainsAny(path, " \t") {
			panic(fmt.Sprintf("output.Columns: column %q is not HEADER:path", spec))
		}
		cols[i] = Column{Header: header, Path: path}
	}
	return cols
}

// ColumnList is a table's columns, as Columns writes them.
type ColumnList []Column

// Format returns a copy of the columns with format set on the one headed header (see
// Column.Format). A header the list does not have is a programming error, like a malformed column.
func (l ColumnList) Format(header string, format func(v any) string) ColumnList {
	i := slices.IndexFunc(l, func(c Column) bool { return c.Header == header })
	if i < 0 {
		panic(fmt.Sprintf("output.ColumnList.Format: no column %q", header))
	}
	l = slices.Clone(l)
	l[i].Format = format
	return l
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// Table describes how a result looks as a table.
//
// The commands write a table's columns in Spec, in the notation Columns reads, with the Format of
// those that need one in Formats. Both are plain data, so a table declared at package level costs
// no code at start-up: it is read when it is printed. Columns, when Spec is empty, are columns
// built in code.
type Table struct {
	Spec    []string
	Formats []Format
	Columns []Column
	// Sections are lists inside a result shown alone (service get: its endpoints and IP access
	// list), each under its header as an indented table of its own. A list of results never
	// shows them: one cell cannot hold a list of objects.
	Sections []Section
}

// Format is the Format of the column a table's Spec heads Header.
type Format struct {
	Header string
	Format func(v any) string
}

// Cols are the table's columns: Spec read by Columns, with Formats set, or else Columns.
func (t Table) Cols() []Column {
	if len(t.Spec) == 0 {
		return t.Columns
	}
	cols := Columns(t.Spec...)
	for _, f := range t.Formats {
		cols = cols.Format(f.Header, f.Format)
	}
	return cols
}

// Section is a list of objects inside one result, such as a service's endpoints.
type Section struct {
	Header  string // upper case, like every label of the view: "ENDPOINTS"
	Path    string
	Spec    []string // the columns, as Table.Spec; or else Columns
	Columns []Column
	Empty   string // printed after the header when the list is empty or absent; "-" if unset
}

// Cols are the section's columns: Spec read by Columns, or else Columns.
func (s Section) Cols() []Column {
	if len(s.Spec) == 0 {
		return s.Columns
	}
	return Columns(s.Spec...)
}

// Print writes data (any value that marshals to JSON) in the chosen format.
func Print(w io.Writer, opts Options, stdoutTTY bool, data any, table Table) error {
	v, err := Normalize(data)
	if err != nil {
		return err
	}
	if opts.JQ != "" {
		return RunJQ(w, opts.JQ, v)
	}
	switch opts.Resolve(stdoutTTY) {
	case "yaml":
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(v); err != nil {
			return err
		}
		return enc.Close()
	case "table":
		return printTable(w, v, table)
	default:
		return WriteJSON(w, v)
	}
}

// WriteJSON writes v as indented JSON followed by a newline, without escaping <, > and &.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Normalize turns any JSON-marshalable value into the plain JSON model (map[string]any, []any,
// string, bool, nil, int or float64), so field names are exactly those on the wire.
func Normalize(data any) (any, error) {
	var raw []byte
	switch d := data.(type) {
	case json.RawMessage:
		raw = d
	case []byte:
		raw = d
	default:
		var err error
		if raw, err = json.Marshal(data); err != nil {
			return nil, fmt.Errorf("encoding the result: %w", err)
		}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decoding the result: %w", err)
	}
	return numbers(v), nil
}

// numbers replaces json.Number with int or float64, which both jq and YAML understand.
func numbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = numbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = numbers(e)
		}
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil && i >= math.MinInt && i <= math.MaxInt {
			return int(i)
		}
		if f, err := t.Float64(); err == nil {
			return f
		}
		return string(t)
	}
	return v
}

// RunJQ writes each value the expression yields: strings raw, everything else as JSON, like gh.
func RunJQ(w io.Writer, expr string, v any) error {
	q, err := gojq.Parse(expr)
	if err != nil {
		return fmt.Errorf("invalid --jq expression: %w", err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return fmt.Errorf("invalid --jq expression: %w", err)
	}
	iter := code.Run(v)
	for {
		out, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, isErr := out.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return nil
			}
			return fmt.Errorf("--jq: %w", err)
		}
		if s, isString := out.(string); isString {
			fmt.Fprintln(w, s)
			continue
		}
		b, err := json.Marshal(out)
		if err != nil {
			return fmt.Errorf("--jq: %w", err)
		}
		fmt.Fprintln(w, string(b))
	}
}

func printTable(w io.Writer, v any, table Table) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	switch t := v.(type) {
	case []any:
		cols := table.Cols()
		if len(cols) == 0 {
			cols = inferColumns(t)
		}
		if len(t) == 0 {
			return nil
		}
		headers := make([]string, len(cols))
		for i, c := range cols {
			headers[i] = c.Header
		}
		fmt.Fprintln(tw, strings.Join(headers, "\t"))
		for _, row := range t {
			cells := make([]string, len(cols))
			for i, c := range cols {
				cells[i] = cell(c, Lookup(row, c.Path))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
	case map[string]any:
		// One object: a "LABEL:  value" listing, the table's columns first, then every other
		// scalar field, then the sections. Every label is upper case, like the column headers
		// of a list, so a view never mixes two styles.
		done := map[string]bool{}
		labels := map[string]bool{}
		for _, c := range table.Cols() {
			fmt.Fprintf(tw, "%s:\t%s\n", c.Header, cell(c, Lookup(t, c.Path)))
			done[strings.SplitN(c.Path, ".", 2)[0]] = true
			labels[c.Header] = true
		}
		for _, sec := range table.Sections {
			done[strings.SplitN(sec.Path, ".", 2)[0]] = true
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			if !done[k] {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			if isNested(t[k]) {
				continue // objects and lists of objects are unreadable in one cell: see --output json
			}
			if labels[Label(k)] {
				continue // a column of that name already shows it (key ROLES: assigned, else legacy roles)
			}
			fmt.Fprintf(tw, "%s:\t%s\n", Label(k), Scalar(t[k]))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, sec := range table.Sections {
			if err := printSection(w, sec, Lookup(t, sec.Path)); err != nil {
				return err
			}
		}
		return nil
	case nil:
		return nil
	default:
		fmt.Fprintln(tw, Scalar(t))
	}
	return tw.Flush()
}

// printSection writes a section: its header, then its rows as a table indented under it.
func printSection(w io.Writer, sec Section, v any) error {
	rows, _ := v.([]any)
	if len(rows) == 0 {
		empty := sec.Empty
		if empty == "" {
			empty = "-"
		}
		_, err := fmt.Fprintf(w, "%s:  %s\n", sec.Header, empty)
		return err
	}
	fmt.Fprintf(w, "%s:\n", sec.Header)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	cols := sec.Cols()
	headers := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = c.Header
	}
	fmt.Fprintf(tw, "  %s\n", strings.Join(headers, "\t"))
	for _, row := range rows {
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = cell(c, Lookup(row, c.Path))
		}
		fmt.Fprintf(tw, "  %s\n", strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// Label turns an API field name into the label of a one-object view: "clickhouseVersion" is
// "CLICKHOUSE VERSION", "minReplicaMemoryGb" "MIN REPLICA MEMORY GB", "ipAccessList" "IP ACCESS
// LIST": upper case words, as the column headers are.
func Label(field string) string {
	var b strings.Builder
	runes := []rune(field)
	for i, r := range runes {
		upper := r >= 'A' && r <= 'Z'
		if i > 0 && upper {
			prevLower := runes[i-1] >= 'a' && runes[i-1] <= 'z' || runes[i-1] >= '0' && runes[i-1] <= '9'
			nextLower := i+1 < len(runes) && runes[i+1] >= 'a' && runes[i+1] <= 'z'
			prevUpper := runes[i-1] >= 'A' && runes[i-1] <= 'Z'
			if prevLower || prevUpper && nextLower {
				b.WriteByte(' ')
			}
		}
		if r == '_' || r == '-' {
			b.WriteByte(' ')
			continue
		}
		b.WriteString(strings.ToUpper(string(r)))
	}
	return b.String()
}

// inferColumns picks the scalar fields of the first row, for lists no command described.
func inferColumns(rows []any) []Column {
	if len(rows) == 0 {
		return nil
	}
	first, ok := rows[0].(map[string]any)
	if !ok {
		return []Column{{Header: "VALUE", Path: ""}}
	}
	var keys []string
	for k, v := range first {
		switch v.(type) {
		case map[string]any, []any:
		default:
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	cols := make([]Column, len(keys))
	for i, k := range keys {
		cols[i] = Column{Header: strings.ToUpper(k), Path: k}
	}
	return cols
}

func cell(c Column, v any) string {
	if c.Format != nil {
		return c.Format(v)
	}
	return Scalar(v)
}

// Lookup follows a dot separated path of field names; "" is the value itself.
func Lookup(v any, path string) any {
	if path == "" {
		return v
	}
	for _, part := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[part]
	}
	return v
}

// Scalar renders a value in one table cell: lists of scalars comma separated, objects as JSON,
// absent values as "-".
func Scalar(v any) string {
	switch t := v.(type) {
	case nil:
		return "-"
	case string:
		if t == "" {
			return "-"
		}
		return t
	case []any:
		if len(t) == 0 {
			return "-"
		}
		parts := make([]string, len(t))
		for i, e := range t {
			if _, isObj := e.(map[string]any); isObj {
				b, _ := json.Marshal(t)
				return string(b)
			}
			parts[i] = Scalar(e)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		b, _ := json.Marshal(t)
		return string(b)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	default:
		return fmt.Sprint(t)
	}
}

func isNested(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return true
	case []any:
		for _, e := range t {
			if _, ok := e.(map[string]any); ok {
				return true
			}
		}
	}
	return false
}
