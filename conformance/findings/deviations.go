package findings

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/chcloud-dev/chcloud/spec"
)

// Deviation is one known difference between the real API and the published document
// (conformance/known-deviations.yaml). A finding it matches is reported as known and does not fail
// the run; a deviation that matches nothing in a full run is stale and should be removed.
type Deviation struct {
	// Operation is an operationId, or "all".
	Operation string `yaml:"operation" json:"operation"`
	Kind      Kind   `yaml:"kind" json:"kind"`
	// Status limits the deviation to one HTTP status; 0 means any.
	Status int `yaml:"status,omitempty" json:"status,omitempty"`
	// Path is a JSONPath pattern: "[*]" matches any index, "*" any one key, "**" anything; empty
	// matches any path.
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
	// Scenario limits the deviation to the findings of one negative scenario (unknown-id,
	// invalid-body, wrong-secret, disabled-key); empty matches every finding, happy path included.
	Scenario  string `yaml:"scenario,omitempty" json:"scenario,omitempty"`
	Reason    string `yaml:"reason" json:"reason"`
	Reference string `yaml:"reference" json:"reference"`
	// Quirk names the cloudtest quirk that reproduces this deviation, so that recordings against
	// the fake match it and a replay in CI can tell when it went stale. An entry without one is
	// LiveOnly: the reason no quirk or scenario reproduces it here (only a run against the real
	// API can say whether it is still needed).
	Quirk    string `yaml:"quirk,omitempty" json:"quirk,omitempty"`
	LiveOnly string `yaml:"liveOnly,omitempty" json:"liveOnly,omitempty"`

	pattern *regexp.Regexp
}

// Deviations is a loaded known-deviations list. It remembers which entries matched, so that stale
// ones can be reported after a full run. It is safe for concurrent use.
type Deviations struct {
	entries []Deviation
	mu      sync.Mutex
	matched []bool
}

// LoadDeviations reads a known-deviations file.
func LoadDeviations(path string) (*Deviations, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("findings: reading known deviations: %w", err)
	}
	d, err := ParseDeviations(data)
	if err != nil {
		return nil, fmt.Errorf("findings: %s: %w", path, err)
	}
	return d, nil
}

// ParseDeviations parses and checks a known-deviations document: every entry needs a known kind,
// an operation of the published document (or "all"), a reason and a public reference.
func ParseDeviations(data []byte) (*Deviations, error) {
	var doc struct {
		Deviations []Deviation `yaml:"deviations"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	for i := range doc.Deviations {
		e := &doc.Deviations[i]
		where := fmt.Sprintf("deviation %d (%s %s)", i+1, e.Operation, e.Kind)
		if !slices.Contains(Kinds, e.Kind) {
			return nil, fmt.Errorf("%s: unknown kind %q", where, e.Kind)
		}
		if e.Operation != "all" {
			if _, ok := spec.Lookup(e.Operation); !ok {
				return nil, fmt.Errorf("%s: %q is not an operation of the published document", where, e.Operation)
			}
		}
		if e.Scenario != "" && !slices.Contains(Scenarios, e.Scenario) {
			return nil, fmt.Errorf("%s: unknown scenario %q (want one of %s)", where, e.Scenario, strings.Join(Scenarios, ", "))
		}
		if strings.TrimSpace(e.Reason) == "" || strings.TrimSpace(e.Reference) == "" {
			return nil, fmt.Errorf("%s: reason and reference are required", where)
		}
		if (e.Quirk == "") == (strings.TrimSpace(e.LiveOnly) == "") {
			return nil, fmt.Errorf("%s: give either quirk (the cloudtest quirk that reproduces it) or liveOnly (why none does)", where)
		}
		if e.Path != "" {
			e.pattern = compilePath(e.Path)
		}
	}
	return &Deviations{entries: doc.Deviations, matched: make([]bool, len(doc.Deviations))}, nil
}

// compilePath turns a JSONPath pattern into an anchored regexp.
func compilePath(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); {
		switch {
		case strings.HasPrefix(p[i:], "[*]"):
			b.WriteString(`\[\d+\]`)
			i += 3
		case strings.HasPrefix(p[i:], "**"):
			b.WriteString(`.*`)
			i += 2
		case p[i] == '*':
			b.WriteString(`[^.\[]+`)
			i++
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
			i++
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func (e *Deviation) matches(f Finding) bool {
	if e.Kind != f.Kind || (e.Operation != "all" && e.Operation != f.OperationID) {
		return false
	}
	if e.Status != 0 && e.Status != f.Status {
		return false
	}
	if e.Scenario != "" && e.Scenario != f.Scenario {
		return false
	}
	return e.pattern == nil || e.pattern.MatchString(f.Path)
}

// Mark sets Known on every finding a deviation explains (the first matching entry wins) and
// returns the same slice.
func (d *Deviations) Mark(fs []Finding) []Finding {
	if d == nil {
		return fs
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range fs {
		for k := range d.entries {
			if d.entries[k].matches(fs[i]) {
				known := d.entries[k]
				known.pattern = nil
				fs[i].Known = &known
				d.matched[k] = true
				break
			}
		}
	}
	return fs
}

// Entries returns all deviations, in file order.
func (d *Deviations) Entries() []Deviation {
	if d == nil {
		return nil
	}
	return slices.Clone(d.entries)
}

// Stale returns the deviations that matched no finding so far. Only meaningful after a run of
// every operation: a focused run leaves most entries unmatched. Against the fake (realAPI
// false), LiveOnly entries are left out: nothing there can match them.
func (d *Deviations) Stale(realAPI bool) []Deviation {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Deviation
	for i, e := range d.entries {
		if !d.matched[i] && (realAPI || e.LiveOnly == "") {
			e.pattern = nil
			out = append(out, e)
		}
	}
	return out
}
