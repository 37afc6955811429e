package drift

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/oasdiff/oasdiff/diff"

	"github.com/chcloud-dev/chcloud/spec"
)

// Summary is what changed, condensed for people: operations by method and path, and schema
// changes by component schema and property, each listed once however many operations use it.
// Fields, types and enums are read from components.schemas, where ClickHouse defines every
// request body and every result; a change in a schema written inline in an operation (the
// response envelope) appears in the changelog only.
type Summary struct {
	OperationsAdded   []OperationRef `json:"operationsAdded"`
	OperationsRemoved []OperationRef `json:"operationsRemoved"`
	// OperationsMoved are operations whose path changed under the same method and operationId;
	// they are not in OperationsAdded or OperationsRemoved.
	OperationsMoved      []OperationMove `json:"operationsMoved"`
	OperationsDeprecated []OperationRef  `json:"operationsDeprecated"`
	BetaGraduated        []OperationRef  `json:"betaGraduated"` // badged Beta before, not any more
	SchemasAdded         []string        `json:"schemasAdded"`
	SchemasRemoved       []string        `json:"schemasRemoved"`
	FieldsAdded          []FieldRef      `json:"fieldsAdded"`
	FieldsRemoved        []FieldRef      `json:"fieldsRemoved"`
	TypeChanges          []TypeChange    `json:"typeChanges"`
	EnumValuesAdded      []EnumValue     `json:"enumValuesAdded"`
	EnumValuesRemoved    []EnumValue     `json:"enumValuesRemoved"`

	Breaking int `json:"breaking"` // changelog entries per level
	Warning  int `json:"warning"`
	Info     int `json:"info"`
}

// OperationRef names an operation.
type OperationRef struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	ID     string `json:"operationId,omitempty"`
}

func (o OperationRef) String() string {
	s := o.Method + " " + o.Path
	if o.ID != "" {
		s += " (" + o.ID + ")"
	}
	return s
}

// FieldRef names a property of a component schema. Field is a dotted path from the schema:
// "state", "endpoints[].host" ([] is an array's items, {} a map's values).
type FieldRef struct {
	Schema string `json:"schema"`
	Field  string `json:"field"`
}

func (f FieldRef) String() string { return f.Schema + "." + f.Field }

// TypeChange is a property (or a whole schema, when Field is empty) whose type changed.
type TypeChange struct {
	Schema string `json:"schema"`
	Field  string `json:"field,omitempty"`
	From   string `json:"from"`
	To     string `json:"to"`
}

func (t TypeChange) String() string {
	name := t.Schema
	if t.Field != "" {
		name += "." + t.Field
	}
	return fmt.Sprintf("%s: %s -> %s", name, t.From, t.To)
}

// EnumConstraint stands for every value in an EnumValue whose property gained or lost its enum
// constraint altogether: listing each value would suggest they were added or removed one by one.
const EnumConstraint = "(the whole enum constraint)"

// EnumValue is a value added to or removed from the enum of a property (or a whole schema).
type EnumValue struct {
	Schema string `json:"schema"`
	Field  string `json:"field,omitempty"`
	Value  string `json:"value"`
}

func (e EnumValue) String() string {
	name := e.Schema
	if e.Field != "" {
		name += "." + e.Field
	}
	return fmt.Sprintf("%s: %s", name, e.Value)
}

// Empty reports whether the summary lists nothing.
func (s Summary) Empty() bool {
	return len(s.OperationsAdded)+len(s.OperationsRemoved)+len(s.OperationsMoved)+len(s.OperationsDeprecated)+len(s.BetaGraduated)+
		len(s.SchemasAdded)+len(s.SchemasRemoved)+len(s.FieldsAdded)+len(s.FieldsRemoved)+
		len(s.TypeChanges)+len(s.EnumValuesAdded)+len(s.EnumValuesRemoved)+s.Breaking+s.Warning+s.Info == 0
}

func summarize(base, revision *Document, moves []OperationMove, d *diff.Diff, changes []Change) Summary {
	var s Summary
	for _, c := range changes {
		switch c.Level {
		case Breaking:
			s.Breaking++
		case Warning:
			s.Warning++
		default:
			s.Info++
		}
	}
	summarizeOperations(&s, base.Operations, revision.Operations, moves)
	if d != nil && d.ComponentsDiff != nil && d.ComponentsDiff.SchemasDiff != nil {
		schemas := d.ComponentsDiff.SchemasDiff
		s.SchemasAdded = sorted(schemas.Added)
		s.SchemasRemoved = sorted(schemas.Deleted)
		w := schemaWalker{summary: &s, seen: map[*diff.SchemaDiff]bool{}}
		for _, name := range slices.Sorted(maps.Keys(schemas.Modified)) {
			w.root = name
			w.walk("", schemas.Modified[name])
		}
	}
	slices.SortFunc(s.FieldsAdded, compareField)
	slices.SortFunc(s.FieldsRemoved, compareField)
	s.FieldsAdded, s.FieldsRemoved = slices.Compact(s.FieldsAdded), slices.Compact(s.FieldsRemoved)
	slices.SortFunc(s.TypeChanges, func(a, b TypeChange) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Field, b.Field))
	})
	s.TypeChanges = slices.Compact(s.TypeChanges)
	slices.SortFunc(s.EnumValuesAdded, compareEnum)
	slices.SortFunc(s.EnumValuesRemoved, compareEnum)
	s.EnumValuesAdded, s.EnumValuesRemoved = slices.Compact(s.EnumValuesAdded), slices.Compact(s.EnumValuesRemoved)
	nonNil(&s.OperationsAdded)
	nonNil(&s.OperationsRemoved)
	nonNil(&s.OperationsMoved)
	nonNil(&s.OperationsDeprecated)
	nonNil(&s.BetaGraduated)
	nonNil(&s.SchemasAdded)
	nonNil(&s.SchemasRemoved)
	nonNil(&s.FieldsAdded)
	nonNil(&s.FieldsRemoved)
	nonNil(&s.TypeChanges)
	nonNil(&s.EnumValuesAdded)
	nonNil(&s.EnumValuesRemoved)
	return s
}

// nonNil makes an empty list marshal as [] rather than null, which scripts handle more easily.
func nonNil[T any](s *[]T) {
	if *s == nil {
		*s = []T{}
	}
}

// summarizeOperations compares the two inventories by method and path (paths are already
// normalised to {param} templates, and oasdiff matches them the same way). A moved operation is
// compared with itself at its old path, and is neither added nor removed.
func summarizeOperations(s *Summary, base, revision []spec.Operation, moves []OperationMove) {
	key := func(o spec.Operation) string { return o.Method + " " + o.Path }
	ref := func(o spec.Operation) OperationRef { return OperationRef{Method: o.Method, Path: o.Path, ID: o.ID} }
	s.OperationsMoved = slices.Clone(moves)
	movedTo := make(map[string]string, len(moves)) // new key -> old key
	for _, m := range moves {
		movedTo[m.Method+" "+m.To] = m.Method + " " + m.From
	}
	before := make(map[string]spec.Operation, len(base))
	for _, o := range base {
		before[key(o)] = o
	}
	after := make(map[string]bool, len(revision))
	for _, o := range revision {
		k := key(o)
		if from, ok := movedTo[k]; ok {
			k = from
		}
		after[k] = true
		old, existed := before[k]
		switch {
		case !existed:
			s.OperationsAdded = append(s.OperationsAdded, ref(o))
		default:
			if o.Deprecated && !old.Deprecated {
				s.OperationsDeprecated = append(s.OperationsDeprecated, ref(o))
			}
			if old.Beta && !o.Beta {
				s.BetaGraduated = append(s.BetaGraduated, ref(o))
			}
		}
	}
	for _, o := range base {
		if !after[key(o)] {
			s.OperationsRemoved = append(s.OperationsRemoved, ref(o))
		}
	}
}

// schemaWalker collects property-level changes of one component schema. It does not descend into
// a property that is a $ref to another component schema: that schema's own entry reports them,
// so each change is listed once.
type schemaWalker struct {
	summary *Summary
	root    string
	seen    map[*diff.SchemaDiff]bool
}

func (w *schemaWalker) walk(field string, d *diff.SchemaDiff) {
	if d == nil || w.seen[d] {
		return
	}
	w.seen[d] = true
	defer delete(w.seen, d) // the same diff may be reached again from another component

	if d.TypeDiff != nil && !d.TypeDiff.Empty() && d.Base != nil && d.Revision != nil {
		w.summary.TypeChanges = append(w.summary.TypeChanges, TypeChange{
			Schema: w.root, Field: field, From: typeName(d.Base.Type.Slice(), d.Base.Format), To: typeName(d.Revision.Type.Slice(), d.Revision.Format),
		})
	} else if d.FormatDiff != nil && d.Base != nil && d.Revision != nil && sameTypes(d.Base.Type.Slice(), d.Revision.Type.Slice()) {
		w.summary.TypeChanges = append(w.summary.TypeChanges, TypeChange{
			Schema: w.root, Field: field, From: typeName(d.Base.Type.Slice(), d.Base.Format), To: typeName(d.Revision.Type.Slice(), d.Revision.Format),
		})
	}
	switch {
	case d.EnumDiff == nil:
	case d.EnumDiff.EnumDeleted:
		w.summary.EnumValuesRemoved = append(w.summary.EnumValuesRemoved, EnumValue{Schema: w.root, Field: field, Value: EnumConstraint})
	case d.EnumDiff.EnumAdded:
		w.summary.EnumValuesAdded = append(w.summary.EnumValuesAdded, EnumValue{Schema: w.root, Field: field, Value: EnumConstraint})
	default:
		for _, v := range d.EnumDiff.Added {
			w.summary.EnumValuesAdded = append(w.summary.EnumValuesAdded, EnumValue{Schema: w.root, Field: field, Value: fmt.Sprint(v)})
		}
		for _, v := range d.EnumDiff.Deleted {
			w.summary.EnumValuesRemoved = append(w.summary.EnumValuesRemoved, EnumValue{Schema: w.root, Field: field, Value: fmt.Sprint(v)})
		}
	}
	if p := d.PropertiesDiff; p != nil {
		for _, name := range p.Added {
			w.summary.FieldsAdded = append(w.summary.FieldsAdded, FieldRef{Schema: w.root, Field: join(field, name)})
		}
		for _, name := range p.Deleted {
			w.summary.FieldsRemoved = append(w.summary.FieldsRemoved, FieldRef{Schema: w.root, Field: join(field, name)})
		}
		for _, name := range slices.Sorted(maps.Keys(p.Modified)) {
			w.descend(join(field, name), p.Modified[name])
		}
	}
	w.descend(field+"[]", d.ItemsDiff)
	w.descend(field+"{}", d.AdditionalPropertiesDiff)
	for _, sub := range []*diff.SubschemasDiff{d.AllOfDiff, d.OneOfDiff, d.AnyOfDiff} {
		if sub == nil {
			continue
		}
		for _, m := range sub.Modified {
			w.descend(field, m.Diff)
		}
	}
}

func (w *schemaWalker) descend(field string, d *diff.SchemaDiff) {
	if d == nil {
		return
	}
	if d.BaseComponent != "" && d.BaseComponent == d.RevisionComponent && d.BaseComponent != w.root {
		return
	}
	w.walk(field, d)
}

func typeName(types []string, format string) string {
	name := strings.Join(types, "|")
	if name == "" {
		name = "any"
	}
	if format != "" {
		name += " (" + format + ")"
	}
	return name
}

func sameTypes(a, b []string) bool { return slices.Equal(sorted(a), sorted(b)) }

func join(field, name string) string {
	if field == "" {
		return name
	}
	return field + "." + name
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func compareField(a, b FieldRef) int {
	return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Field, b.Field))
}

func compareEnum(a, b EnumValue) int {
	return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Field, b.Field), cmp.Compare(a.Value, b.Value))
}

func sortChanges(changes []Change) {
	slices.SortStableFunc(changes, func(a, b Change) int { return cmp.Compare(b.Level, a.Level) })
}
