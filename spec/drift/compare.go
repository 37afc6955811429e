package drift

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// Level is how much a change matters to clients, oasdiff's ERR / WARN / INFO.
type Level int

// Levels, lowest first. Never is only a --fail-on threshold: no change has it.
const (
	Info Level = iota + 1
	Warning
	Breaking
	Never
)

var levelNames = map[Level]string{Info: "info", Warning: "warning", Breaking: "breaking", Never: "never"}

func (l Level) String() string {
	if name, ok := levelNames[l]; ok {
		return name
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// MarshalText writes the level's name, so JSON reports say "breaking" rather than 3.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level's name.
func (l *Level) UnmarshalText(text []byte) error {
	parsed, err := ParseLevel(string(text))
	if err != nil {
		return err
	}
	*l = parsed
	return nil
}

// ParseLevel reads breaking, warning, info or never (the --fail-on values).
func ParseLevel(name string) (Level, error) {
	for level, n := range levelNames {
		if strings.EqualFold(name, n) {
			return level, nil
		}
	}
	return 0, fmt.Errorf("unknown level %q: want breaking, warning, info or never", name)
}

func levelOf(l checker.Level) Level {
	switch l {
	case checker.ERR:
		return Breaking
	case checker.WARN:
		return Warning
	default:
		return Info
	}
}

// Change is one entry of the oasdiff changelog.
type Change struct {
	Level       Level  `json:"level"`
	ID          string `json:"id"` // oasdiff's rule id, e.g. "api-path-removed-without-deprecation"
	Method      string `json:"method,omitempty"`
	Path        string `json:"path,omitempty"`
	OperationID string `json:"operationId,omitempty"`
	Text        string `json:"text"`
	Comment     string `json:"comment,omitempty"` // why oasdiff gives it this level, when it says
}

// Subject is what the change is about: "GET /v1/... (operationId)", or the section for changes
// outside operations (component schemas, security).
func (c Change) Subject() string {
	if c.Method == "" && c.Path == "" {
		return "components"
	}
	s := strings.TrimSpace(c.Method + " " + c.Path)
	if c.OperationID != "" {
		s += " (" + c.OperationID + ")"
	}
	return s
}

// DocumentInfo identifies one side of a comparison.
type DocumentInfo struct {
	Source     string   `json:"source"`
	OpenAPI    string   `json:"openapi"` // the version the document is written in, e.g. "3.1.2"
	SHA256     string   `json:"sha256"`
	Bytes      int      `json:"bytes"`
	Operations int      `json:"operations"`
	Schemas    int      `json:"schemas"`
	ColonPaths []string `json:"colonPaths,omitempty"` // published as /:param, compared as /{param}
}

func infoOf(d *Document) DocumentInfo {
	info := DocumentInfo{Source: d.Source, OpenAPI: d.Version, SHA256: d.SHA256, Bytes: len(d.Raw), Operations: len(d.Operations), ColonPaths: d.ColonPaths}
	if d.OpenAPI.Components != nil {
		info.Schemas = len(d.OpenAPI.Components.Schemas)
	}
	return info
}

// Report is the comparison of two versions of the document.
type Report struct {
	Base     DocumentInfo `json:"base"`
	Revision DocumentInfo `json:"revision"`
	// Unchanged is true when the documents are the same once formatting and the referrer token
	// are set aside (oasdiff finds no difference at all, not even in descriptions).
	Unchanged bool     `json:"unchanged"`
	Summary   Summary  `json:"summary"`
	Changes   []Change `json:"changes"` // breaking first, then warnings, then info
}

// Count returns how many changes have exactly the level.
func (r *Report) Count(level Level) int {
	n := 0
	for _, c := range r.Changes {
		if c.Level == level {
			n++
		}
	}
	return n
}

// AtLeast returns how many changes have the level or a higher one.
func (r *Report) AtLeast(level Level) int {
	n := 0
	for _, c := range r.Changes {
		if c.Level >= level {
			n++
		}
	}
	return n
}

// Compare diffs base against revision with oasdiff and runs every backward-compatibility check
// down to INFO, because most response fields are optional and a removed one only shows at INFO.
//
// Two things oasdiff would report are not changes to a client and are set aside first: the
// notation (both documents were read into one by Parse, so a 3.0.1 document and its 3.1 rewrite
// compare equal), and the path of an operation that moved under the same method and
// operationId, which is compared at its new path and reported once as moved (MovedID) instead
// of as a breaking removal plus an addition.
func Compare(ctx context.Context, base, revision *Document) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	moves := findMoves(base.Operations, revision.Operations)
	baseInfo := &load.SpecInfo{Url: base.Source, Spec: withMoves(base.OpenAPI, moves), Version: base.OpenAPI.Info.Version}
	revisionInfo := &load.SpecInfo{Url: revision.Source, Spec: revision.OpenAPI, Version: revision.OpenAPI.Info.Version}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), baseInfo, revisionInfo)
	if err != nil {
		return nil, fmt.Errorf("drift: diffing %s against %s: %w", base.Source, revision.Source, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Both documents were read into one notation (see normalizeNotation), so the version they
	// are written in is not a change to them; DocumentInfo.OpenAPI still says which it was.
	if d != nil {
		d.OpenAPIDiff = nil
	}
	config := checker.NewConfig(checker.GetAllChecks())
	found := checker.CheckBackwardCompatibilityUntilLevel(config, d, sources, checker.INFO)
	report := &Report{
		Base:      infoOf(base),
		Revision:  infoOf(revision),
		Unchanged: changesNothing(d) && len(moves) == 0,
		Changes:   make([]Change, 0, len(found)),
	}
	for _, c := range found {
		report.Changes = append(report.Changes, Change{
			Level:       levelOf(c.GetLevel()),
			ID:          c.GetId(),
			Method:      c.GetOperation(),
			Path:        c.GetPath(),
			OperationID: c.GetOperationId(),
			Text:        c.GetUncolorizedText(localize),
			Comment:     c.GetComment(localize),
		})
	}
	report.Changes = append(report.Changes, moveChanges(moves)...)
	sortChanges(report.Changes)
	report.Summary = summarize(base, revision, moves, d, report.Changes)
	return report, nil
}

// oasdiffMessage is one change message of oasdiff: its ID and the fmt pattern its default
// localizer fills with the change's arguments.
type oasdiffMessage struct{ id, pattern string }

// localize words a change as checker.NewDefaultLocalizer() does (the pattern of its message ID
// in oasdiff's default language, filled by fmt.Sprintf; the ID itself when there is none), from
// the table in messages.gen.go. Using oasdiff's localizer would link its map of every language,
// which is built at the start of every chcloud command; see spec/drift/internal/messagegen.
func localize(id string, args ...any) string {
	i, found := slices.BinarySearchFunc(oasdiffMessages[:], id, func(m oasdiffMessage, id string) int {
		return strings.Compare(m.id, id)
	})
	if !found {
		return id
	}
	return fmt.Sprintf(oasdiffMessages[i].pattern, args...)
}

// changesNothing reports whether d holds no difference. oasdiff's own Empty is false for any diff
// between documents of different OpenAPI versions, because it carries each side's version (and
// info) as context for its checks once anything differs.
func changesNothing(d *diff.Diff) bool {
	if d == nil {
		return true
	}
	c := *d
	c.BaseInfo, c.RevisionInfo, c.SecurityContext = nil, nil, nil
	c.BaseOpenAPI, c.RevisionOpenAPI = "", ""
	return c.Empty()
}
