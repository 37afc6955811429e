package specdoc

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Judge is the one engine that says how a JSON value differs from a schema of the document. The
// conformance suite judges answers with it, the CLI and the fake server judge request bodies, and
// `chcloud spec check-response|check-request` prints what it says.
//
// It walks the structure itself (objects, arrays, null, type, required, composition) and leaves
// the scalar keywords (enum, const, format, pattern, lengths, bounds) to kin-openapi. The walk is
// ours because of unions: a validator merges the errors of every oneOf/anyOf form, so a valid
// ClickStack source of kind "metric" is told its kind must be "log" and that it lacks the log
// form's fields, and an object in a nullable union is told it should be null. Judge picks the form
// the value belongs to and reports only that form's differences:
//
//   - null goes to the null form (`{type: null}`, a nullable form, or a 3.1 type list with "null");
//   - otherwise the discriminator (`discriminator.propertyName`, with its mapping), else a property
//     whose const or enum values tell the forms apart (ClickStack `kind`, webhook `service`, backup
//     bucket `bucketProvider`), else the only form whose type admits the value, else a form the
//     value fits, else the form with the fewest differences.
//
// Every Problem carries the Form chosen on the way to it, so a message can say which form was
// judged and why. A union whose forms no value can tell apart (the Kafka credentials, read as
// anyOf by OpenAPI) accepts a value that fits any form: that is a defect of the document
// (RelaxedOneOfs), not of the value.
type Judge struct {
	formats map[string]openapi3.StringFormatValidator
	request bool
	strict  bool
	// scalar caches, per schema, the copy of it that keeps only the keywords kin-openapi checks
	// for us (see scalarKeywords).
	scalar sync.Map
}

// JudgeOption configures a Judge.
type JudgeOption func(*Judge)

// WithFormats sets the validators of string formats ("uuid", "date-time", ...). Formats without
// one are not checked. The default is DefaultFormats.
func WithFormats(f map[string]openapi3.StringFormatValidator) JudgeOption {
	return func(j *Judge) { j.formats = f }
}

// AsRequest judges a request body: a readOnly property is neither required nor checked.
// Without it the value is an answer, where writeOnly properties are neither.
func AsRequest() JudgeOption { return func(j *Judge) { j.request = true } }

// Strict reports every property an object's schema (its chosen form included) does not declare,
// as keyword "undeclared", even where the document leaves the object open: a new field in an
// answer is drift worth knowing. Without it only additionalProperties: false refuses one.
func Strict() JudgeOption { return func(j *Judge) { j.strict = true } }

// NewJudge returns a Judge. It is safe for concurrent use.
func NewJudge(opts ...JudgeOption) *Judge {
	j := &Judge{formats: DefaultFormats()}
	for _, o := range opts {
		o(j)
	}
	return j
}

// DefaultFormats returns the string formats every judge of this project checks, the same for
// requests and answers: "uuid" as any 8-4-4-4-12 hex string (the API's IDs are not all RFC 4122
// versions, and that is not drift), "email", "date-time" (RFC 3339) and "date".
func DefaultFormats() map[string]openapi3.StringFormatValidator {
	return map[string]openapi3.StringFormatValidator{
		"uuid":  openapi3.NewRegexpFormatValidator(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`),
		"email": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail),
		"date-time": openapi3.NewCallbackValidator(func(s string) error {
			_, err := time.Parse(time.RFC3339Nano, s)
			return err
		}),
		"date": openapi3.NewCallbackValidator(func(s string) error {
			_, err := time.Parse(time.DateOnly, s)
			return err
		}),
	}
}

// Problem is one way a value differs from its schema.
type Problem struct {
	// Pointer locates the value from the judged root (JSON pointer segments, unescaped). For a
	// missing property it includes the property's name.
	Pointer []string
	// Keyword is what failed: a JSON Schema keyword ("type", "required", "enum", "format",
	// "pattern", "minLength", "minProperties", "additionalProperties", ...), "null" for a null the
	// schema does not allow, "undeclared" for a property the schema does not declare (Strict).
	Keyword string
	// Schema is the schema that carries the keyword.
	Schema *openapi3.Schema
	// Value is the value at Pointer; Missing is set instead when the property is absent.
	Value   any
	Missing bool
	// Reason says what is wrong in one line. It never repeats the value, which may be a secret,
	// except enum values, which are the API's vocabulary.
	Reason string
	// Form is the innermost union form chosen on the way to the value, if any.
	Form *Form
}

// JSONPath returns Pointer as a JSONPath ("$.result[3].createdAt"), array indices kept.
func (p Problem) JSONPath(root any) string { return JSONPath(root, p.Pointer) }

// Form is the alternative of a oneOf/anyOf that a value was judged against.
type Form struct {
	Pointer []string // where the union is
	Name    string   // the component name of the form, its title, or "form N"
	Index   int      // its position among the union's forms, from 0
	Of      int      // how many forms the union has
	// By names the property whose value chose the form ("kind"), and ByValue that value; both
	// are empty when the form was chosen as the one the value comes closest to (Closest).
	By, ByValue string
	Closest     bool
}

func (f *Form) String() string {
	if f == nil {
		return ""
	}
	if f.By != "" {
		return fmt.Sprintf("form %s (chosen by %s %q)", f.Name, f.By, f.ByValue)
	}
	if f.Closest {
		return fmt.Sprintf("form %s (the closest of %d forms)", f.Name, f.Of)
	}
	return "form " + f.Name
}

// maxJudgeDepth stops the walk on recursive schemas; real bodies are far shallower.
const maxJudgeDepth = 64

// Check returns every difference between value (as encoding/json decodes into any) and schema.
func (j *Judge) Check(schema *openapi3.Schema, value any) []Problem {
	w := walk{j: j}
	w.value(schema, value, nil, nil, 0)
	return w.problems
}

type walk struct {
	j        *Judge
	problems []Problem
}

func (w *walk) add(p Problem) { w.problems = append(w.problems, p) }

// value judges v against s as the whole value at ptr (its undeclared properties are reported
// here, after every part of s has had its say).
func (w *walk) value(s *openapi3.Schema, v any, ptr []string, form *Form, depth int) {
	evaluated, open := w.node(s, v, ptr, form, depth)
	obj, isObj := v.(map[string]any)
	if !isObj || open {
		return
	}
	for _, k := range sortedObjectKeys(obj) {
		if evaluated[k] {
			continue
		}
		if w.j.strict {
			w.add(Problem{Pointer: appendPtr(ptr, k), Keyword: "undeclared", Schema: s, Value: obj[k], Form: form,
				Reason: fmt.Sprintf("the schema does not declare %q (got %s)", k, JSONType(obj[k]))})
		}
	}
}

// node judges v against s without reporting undeclared properties, and returns the properties s
// declares for v (own, allOf, the chosen form) and whether s leaves v open to others.
func (w *walk) node(s *openapi3.Schema, v any, ptr []string, form *Form, depth int) (evaluated map[string]bool, open bool) {
	if s == nil || depth > maxJudgeDepth || (s.Always != nil && *s.Always) {
		return nil, true
	}
	if s.Always != nil {
		w.add(Problem{Pointer: ptr, Keyword: "false", Schema: s, Value: v, Form: form, Reason: "no value is allowed here"})
		return nil, true
	}
	if v == nil {
		if !w.j.allowsNull(s) {
			w.add(Problem{Pointer: ptr, Keyword: "null", Schema: s, Form: form, Reason: "null in a field that is not nullable"})
		}
		return nil, true
	}
	if !typeAdmits(s.Type, v) {
		w.add(Problem{Pointer: ptr, Keyword: "type", Schema: s, Value: v, Form: form,
			Reason: fmt.Sprintf("declared %s, got %s", strings.Join(nonNull(s.Type), " or "), JSONType(v))})
		return nil, true
	}
	w.scalar(s, v, ptr, form)

	evaluated = map[string]bool{}
	open = isOpen(s)
	if obj, ok := v.(map[string]any); ok {
		w.object(s, obj, ptr, form, depth, evaluated)
	}
	if arr, ok := v.([]any); ok && s.Items != nil && s.Items.Value != nil {
		for i, elem := range arr {
			w.value(s.Items.Value, elem, appendPtr(ptr, strconv.Itoa(i)), form, depth+1)
		}
	}
	for _, ref := range s.AllOf {
		if ref == nil || ref.Value == nil {
			continue
		}
		ev, op := w.node(ref.Value, v, ptr, form, depth+1)
		merge(evaluated, ev)
		open = open && op
	}
	for _, union := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		if len(union) == 0 {
			continue
		}
		ev, op := w.union(s, union, v, ptr, form, depth+1)
		merge(evaluated, ev)
		open = open && op
	}
	return evaluated, open
}

// object judges the declared properties of obj and the required ones.
func (w *walk) object(s *openapi3.Schema, obj map[string]any, ptr []string, form *Form, depth int, evaluated map[string]bool) {
	for _, name := range s.Required {
		if _, present := obj[name]; present {
			continue
		}
		if ps := propertySchema(s, name); ps != nil && ((w.j.request && ps.ReadOnly) || (!w.j.request && ps.WriteOnly)) {
			continue
		}
		w.add(Problem{Pointer: appendPtr(ptr, name), Keyword: "required", Schema: s, Missing: true, Form: form,
			Reason: "a required property is missing"})
	}
	for _, k := range sortedObjectKeys(obj) {
		if ref, ok := s.Properties[k]; ok {
			evaluated[k] = true
			if ref == nil || ref.Value == nil || (w.j.request && ref.Value.ReadOnly) {
				continue
			}
			w.value(ref.Value, obj[k], appendPtr(ptr, k), form, depth+1)
			continue
		}
		switch ap := s.AdditionalProperties; {
		case ap.Schema != nil && ap.Schema.Value != nil:
			evaluated[k] = true
			w.value(ap.Schema.Value, obj[k], appendPtr(ptr, k), form, depth+1)
		case ap.Has != nil && !*ap.Has && len(s.AllOf)+len(s.OneOf)+len(s.AnyOf) == 0:
			evaluated[k] = true // reported here, not again as undeclared
			w.add(Problem{Pointer: appendPtr(ptr, k), Keyword: "additionalProperties", Schema: s, Value: obj[k], Form: form,
				Reason: fmt.Sprintf("%q is not a field of this object", k)})
		}
	}
}

// union picks the form of s's oneOf/anyOf that v belongs to and judges v against it alone.
func (w *walk) union(s *openapi3.Schema, forms openapi3.SchemaRefs, v any, ptr []string, outer *Form, depth int) (map[string]bool, bool) {
	var candidates []int
	for i, ref := range forms {
		if ref != nil && ref.Value != nil && !isNullOnly(ref.Value) {
			candidates = append(candidates, i)
		}
	}
	if len(candidates) == 0 {
		return nil, true
	}
	choose := func(i int, f *Form) (map[string]bool, bool) {
		if f == nil {
			f = outer
		}
		return w.node(forms[i].Value, v, ptr, f, depth)
	}
	if len(candidates) == 1 {
		return choose(candidates[0], nil) // a nullable wrapper: no choice to name
	}
	form := func(i int) *Form {
		return &Form{Pointer: slices.Clone(ptr), Name: formName(forms[i], i), Index: i, Of: len(forms)}
	}

	// By a property that names the form.
	if obj, ok := v.(map[string]any); ok {
		if prop, pick, known := w.j.tagOf(s, forms, candidates, obj); prop != "" {
			if pick < 0 {
				w.add(Problem{Pointer: appendPtr(ptr, prop), Keyword: "enum", Schema: s, Value: obj[prop], Form: outer,
					Reason: fmt.Sprintf("%s is not one of the declared values (%s)", quoteValue(obj[prop]), strings.Join(known, ", "))})
				return allKeys(obj), true // no form to judge the rest by: this one problem says it all
			}
			f := form(pick)
			f.By, f.ByValue = prop, fmt.Sprint(obj[prop])
			return choose(pick, f)
		}
	}

	// By type: only one form admits a value of this JSON type.
	var admitting []int
	for _, i := range candidates {
		if typeAdmits(forms[i].Value.Type, v) {
			admitting = append(admitting, i)
		}
	}
	if len(admitting) == 1 {
		return choose(admitting[0], form(admitting[0]))
	}
	if len(admitting) > 0 {
		candidates = admitting
	}

	// A form the value fits, else the closest one.
	best, bestScore := -1, math.MaxInt
	var bestProblems []Problem
	var bestEvaluated map[string]bool
	bestOpen := true
	for _, i := range candidates {
		trial := walk{j: w.j}
		f := form(i)
		ev, op := trial.node(forms[i].Value, v, ptr, f, depth)
		score := len(trial.problems)
		if obj, ok := v.(map[string]any); ok && !op {
			for k := range obj {
				if !ev[k] {
					score++ // an undeclared field counts against a form even when it is allowed
				}
			}
		}
		if len(trial.problems) == 0 {
			score = 0 // fits: no other form can do better
		}
		if score < bestScore {
			best, bestScore, bestProblems, bestEvaluated, bestOpen = i, score, trial.problems, ev, op
		}
	}
	if len(bestProblems) > 0 {
		for k := range bestProblems {
			if bestProblems[k].Form != nil && bestProblems[k].Form.Index == best && slices.Equal(bestProblems[k].Form.Pointer, ptr) {
				bestProblems[k].Form.Closest = true
			}
		}
	}
	w.problems = append(w.problems, bestProblems...)
	return bestEvaluated, bestOpen
}

// tagOf finds the property of obj that tells forms apart: the discriminator, else a property
// every form declares with const or enum values that no two forms share. It returns the
// property, the chosen form (-1 when obj's value belongs to none) and every value the forms
// accept; an empty property when obj carries no such property.
func (j *Judge) tagOf(s *openapi3.Schema, forms openapi3.SchemaRefs, candidates []int, obj map[string]any) (string, int, []string) {
	if d := s.Discriminator; d != nil && d.PropertyName != "" {
		val, ok := obj[d.PropertyName].(string)
		if ok {
			if ref, mapped := d.Mapping[val]; mapped {
				for _, i := range candidates {
					if forms[i].Ref == ref.Ref {
						return d.PropertyName, i, nil
					}
				}
			}
			for _, i := range candidates {
				if strings.HasSuffix(forms[i].Ref, "/"+val) {
					return d.PropertyName, i, nil
				}
			}
		}
	}
	for _, prop := range tagProperties(forms, candidates) {
		raw, present := obj[prop]
		if !present {
			continue
		}
		var known []string
		pick := -1
		for _, i := range candidates {
			for _, allowed := range tagValues(forms[i].Value, prop) {
				known = append(known, fmt.Sprint(allowed))
				if jsonEqual(allowed, raw) {
					pick = i
				}
			}
		}
		return prop, pick, known
	}
	return "", -1, nil
}

// tagProperties returns, sorted, the properties every candidate declares with const or enum
// values, no value shared by two candidates.
func tagProperties(forms openapi3.SchemaRefs, candidates []int) []string {
	var out []string
	first := forms[candidates[0]].Value
	for _, prop := range sortedSchemaKeys(collectProperties(first, 0)) {
		seen := map[string]bool{}
		ok := true
		for _, i := range candidates {
			values := tagValues(forms[i].Value, prop)
			if len(values) == 0 {
				ok = false
				break
			}
			for _, v := range values {
				key := fmt.Sprintf("%T:%v", v, v)
				if seen[key] {
					ok = false
				}
				seen[key] = true
			}
		}
		if ok {
			out = append(out, prop)
		}
	}
	return out
}

// tagValues returns the const or enum values a form allows for prop.
func tagValues(s *openapi3.Schema, prop string) []any {
	ps := collectProperties(s, 0)[prop]
	if ps == nil {
		return nil
	}
	if ps.Const != nil {
		return []any{ps.Const}
	}
	return ps.Enum
}

// collectProperties returns the properties s declares itself and through allOf.
func collectProperties(s *openapi3.Schema, depth int) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	if s == nil || depth > maxJudgeDepth {
		return out
	}
	for _, ref := range s.AllOf {
		if ref != nil {
			merge(out, collectProperties(ref.Value, depth+1))
		}
	}
	for name, ref := range s.Properties {
		if ref != nil && ref.Value != nil {
			out[name] = ref.Value
		}
	}
	return out
}

func propertySchema(s *openapi3.Schema, name string) *openapi3.Schema {
	if ref, ok := s.Properties[name]; ok && ref != nil {
		return ref.Value
	}
	return nil
}

// scalar checks the keywords kin-openapi knows how to judge on one value: enum, const, format,
// pattern, lengths, bounds, item and property counts.
func (w *walk) scalar(s *openapi3.Schema, v any, ptr []string, form *Form) {
	k := w.j.scalarKeywords(s)
	if str, ok := v.(string); ok && s.Format != "" {
		if check, known := w.j.formats[s.Format]; known && check.Validate(str) != nil {
			w.add(Problem{Pointer: ptr, Keyword: "format", Schema: s, Value: v, Form: form,
				Reason: fmt.Sprintf("the value is not a valid %s", s.Format)})
		}
	}
	if k == nil {
		return
	}
	// Formats are checked above, from this Judge's table: kin-openapi's is global.
	err := k.VisitJSON(v, openapi3.MultiErrors())
	if err == nil {
		return
	}
	seen := map[string]bool{}
	for _, se := range kinSchemaErrors(err) {
		if seen[se.SchemaField+se.Reason] {
			continue
		}
		seen[se.SchemaField+se.Reason] = true
		w.add(Problem{Pointer: ptr, Keyword: se.SchemaField, Schema: s, Value: v, Form: form, Reason: keywordReason(s, se, v)})
	}
}

// scalarKeywords returns a copy of s that keeps only the keywords scalar leaves to kin-openapi,
// or nil when s has none.
func (j *Judge) scalarKeywords(s *openapi3.Schema) *openapi3.Schema {
	if cached, ok := j.scalar.Load(s); ok {
		return cached.(*openapi3.Schema)
	}
	var k *openapi3.Schema
	if len(s.Enum) > 0 || s.Const != nil || s.Pattern != "" || s.MinLength > 0 || s.MaxLength != nil ||
		s.Min != nil || s.Max != nil || s.ExclusiveMin.IsSet() || s.ExclusiveMax.IsSet() || s.MultipleOf != nil ||
		s.MinItems > 0 || s.MaxItems != nil || s.UniqueItems || s.MinProps > 0 || s.MaxProps != nil || s.Not != nil {
		k = &openapi3.Schema{
			Enum: s.Enum, Const: s.Const, Pattern: s.Pattern, MinLength: s.MinLength, MaxLength: s.MaxLength,
			Min: s.Min, Max: s.Max, ExclusiveMin: s.ExclusiveMin, ExclusiveMax: s.ExclusiveMax, MultipleOf: s.MultipleOf,
			MinItems: s.MinItems, MaxItems: s.MaxItems, UniqueItems: s.UniqueItems, MinProps: s.MinProps, MaxProps: s.MaxProps,
			Not: s.Not, Nullable: true,
		}
	}
	j.scalar.Store(s, k)
	return k
}

// keywordReason says what a failed keyword means in words a user can act on.
func keywordReason(s *openapi3.Schema, se *openapi3.SchemaError, v any) string {
	switch se.SchemaField {
	case "enum":
		var allowed []string
		for _, e := range s.Enum {
			allowed = append(allowed, fmt.Sprint(e))
		}
		return fmt.Sprintf("%s is not one of the declared values (%s)", quoteValue(v), truncateText(strings.Join(allowed, ", "), 200))
	case "const":
		return fmt.Sprintf("%s is not the declared value %s", quoteValue(v), quoteValue(s.Const))
	case "format":
		return fmt.Sprintf("the value is not a valid %s", s.Format)
	case "pattern":
		return PatternRule(s.Pattern)
	case "minLength":
		return fmt.Sprintf("must be at least %s long", count(int(s.MinLength), "character"))
	case "maxLength":
		return fmt.Sprintf("must be at most %s long", count(int(*s.MaxLength), "character"))
	case "minimum":
		return fmt.Sprintf("must be at least %v", *s.Min)
	case "maximum":
		return fmt.Sprintf("must be at most %v", *s.Max)
	case "minItems":
		return fmt.Sprintf("must have at least %s", count(int(s.MinItems), "item"))
	case "maxItems":
		return fmt.Sprintf("must have at most %s", count(int(*s.MaxItems), "item"))
	case "minProperties":
		return fmt.Sprintf("must have at least %s", count(int(s.MinProps), "field"))
	case "maxProperties":
		return fmt.Sprintf("must have at most %s", count(int(*s.MaxProps), "field"))
	case "uniqueItems":
		return "items must be unique"
	}
	return ConciseReason(se.Reason)
}

// count writes "1 field", "2 fields": a message read by a user should not say "1 fields".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// PatternRule says in words what a pattern asks for. The document's simple character classes
// (the Postgres password's [a-z], [A-Z], [0-9]) get a sentence; anything else is quoted.
func PatternRule(pattern string) string {
	switch pattern {
	case "[a-z]":
		return "needs a lower-case letter"
	case "[A-Z]":
		return "needs an upper-case letter"
	case "[0-9]", `\d`:
		return "needs a digit"
	}
	return fmt.Sprintf("must match the pattern %s", truncateText(pattern, 120))
}

// Describe turns problems into one line each, "field /a/b: reason", joining the rules broken by
// one value ("needs an upper-case letter and a digit") and naming the union form a value was
// judged against when a property chose it.
func Describe(problems []Problem) []string {
	msgs := Messages(problems)
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if len(m.Pointer) == 0 {
			out = append(out, m.Text)
		} else {
			out = append(out, fmt.Sprintf("field %q: %s", m.Field(), m.Text))
		}
	}
	return out
}

// Message is what Describe says about one value, for callers that place the field themselves
// (the fake server writes "request body.a.b: text", as the real API does).
type Message struct {
	Pointer []string // the value's location, as in Problem
	// Text says what is wrong, every broken rule of the value joined, and names the union form
	// the value was judged against when a property chose it or it was the closest.
	Text string
}

// Field returns the location as a JSON pointer ("/a/b", "/" for the whole value).
func (m Message) Field() string { return "/" + strings.Join(escapePointer(m.Pointer), "/") }

// Messages groups problems by value, in the order they were found, into one Message each.
func Messages(problems []Problem) []Message {
	type group struct {
		pointer []string
		reasons []string
		form    *Form
	}
	var groups []*group
	byField := map[string]*group{}
	for _, p := range problems {
		field := "/" + strings.Join(escapePointer(p.Pointer), "/")
		g := byField[field]
		if g == nil {
			g = &group{pointer: p.Pointer, form: p.Form}
			byField[field] = g
			groups = append(groups, g)
		}
		g.reasons = append(g.reasons, p.Reason)
	}
	out := make([]Message, 0, len(groups))
	for _, g := range groups {
		text := joinRules(g.reasons)
		if f := g.form; f != nil && (f.By != "" || f.Closest) {
			at := "/" + strings.Join(escapePointer(f.Pointer), "/")
			if f.By != "" {
				text += fmt.Sprintf(" (judged as %s, chosen at %s by %s %q)", f.Name, at, f.By, f.ByValue)
			} else {
				text += fmt.Sprintf(" (judged as %s at %s, the closest of %d forms)", f.Name, at, f.Of)
			}
		}
		out = append(out, Message{Pointer: g.pointer, Text: text})
	}
	return out
}

// joinRules merges "needs a digit" and "needs an upper-case letter" into one sentence.
func joinRules(reasons []string) string {
	var needs, other []string
	for _, r := range reasons {
		if rest, ok := strings.CutPrefix(r, "needs "); ok {
			needs = append(needs, rest)
		} else {
			other = append(other, r)
		}
	}
	if len(needs) > 0 {
		s := "needs " + needs[0]
		if len(needs) > 1 {
			s = "needs " + strings.Join(needs[:len(needs)-1], ", ") + " and " + needs[len(needs)-1]
		}
		other = append(other, s)
	}
	return strings.Join(other, "; ")
}

// JSONPath writes a pointer into root as a JSONPath: "$", "$.result[3].createdAt",
// "$['odd key']". A segment is an index where root has an array, so indices are never lost.
func JSONPath(root any, pointer []string) string {
	var b strings.Builder
	b.WriteString("$")
	cur := root
	for _, seg := range pointer {
		switch v := cur.(type) {
		case []any:
			b.WriteString("[" + seg + "]")
			if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(v) {
				cur = v[i]
			} else {
				cur = nil
			}
		case map[string]any:
			b.WriteString(pathKey(seg))
			cur = v[seg]
		default:
			b.WriteString(pathKey(seg))
			cur = nil
		}
	}
	return b.String()
}

func pathKey(k string) string {
	plain := k != ""
	for i, r := range k {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r == '-' || r >= '0' && r <= '9')) {
			plain = false
			break
		}
	}
	if plain {
		return "." + k
	}
	return "['" + strings.ReplaceAll(k, "'", `\'`) + "']"
}

// JSONType names the JSON type of a value decoded by encoding/json.
func JSONType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64, json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// typeAdmits reports whether a value of v's JSON type is one of types (no types: any).
func typeAdmits(types *openapi3.Types, v any) bool {
	if types == nil || len(*types) == 0 {
		return true
	}
	t := JSONType(v)
	if types.Includes(t) {
		return true
	}
	if t == "number" && types.Includes(openapi3.TypeInteger) {
		switch n := v.(type) {
		case float64:
			return n == math.Trunc(n) && !math.IsInf(n, 0)
		case json.Number:
			_, err := n.Int64()
			return err == nil
		}
	}
	return false
}

// allowsNull reports whether s accepts null: nullable (3.0), a type list with "null" (3.1), no
// type at all, or a union with a form that does.
func (j *Judge) allowsNull(s *openapi3.Schema) bool {
	if s.Nullable || (s.Type != nil && s.Type.IncludesNull()) {
		return true
	}
	for _, union := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		for _, ref := range union {
			if ref != nil && ref.Value != nil && j.allowsNull(ref.Value) {
				return true
			}
		}
	}
	if len(s.AllOf) > 0 {
		for _, ref := range s.AllOf {
			if ref != nil && ref.Value != nil && !j.allowsNull(ref.Value) {
				return false
			}
		}
		return s.Type == nil && len(s.Enum) == 0
	}
	if s.Type == nil || len(*s.Type) == 0 {
		return len(s.OneOf)+len(s.AnyOf) == 0 && len(s.Enum) == 0 && len(s.Properties) == 0
	}
	return false
}

func isNullOnly(s *openapi3.Schema) bool {
	return s.Type != nil && len(*s.Type) == 1 && s.Type.Is(openapi3.TypeNull)
}

// isOpen reports whether s leaves an object open to properties it does not declare, judged on
// its own: a schema with properties or composition is a description of the object and not
// open unless it says additionalProperties; one with neither is free-form.
func isOpen(s *openapi3.Schema) bool {
	if ap := s.AdditionalProperties; ap.Schema != nil || (ap.Has != nil && *ap.Has) {
		return true
	}
	if s.AdditionalProperties.Has != nil {
		return false
	}
	return len(s.Properties) == 0 && len(s.AllOf)+len(s.OneOf)+len(s.AnyOf) == 0
}

func nonNull(types *openapi3.Types) []string {
	var out []string
	for _, t := range types.Slice() {
		if t != openapi3.TypeNull {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return []string{"null"}
	}
	return out
}

func formName(ref *openapi3.SchemaRef, i int) string {
	if ref.Ref != "" {
		return ref.Ref[strings.LastIndex(ref.Ref, "/")+1:]
	}
	if ref.Value != nil && ref.Value.Title != "" {
		return ref.Value.Title
	}
	return fmt.Sprintf("#%d", i+1)
}

func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return truncateText(strconv.Quote(s), 60)
	}
	return truncateText(fmt.Sprint(v), 60)
}

func jsonEqual(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

func kinSchemaErrors(err error) []*openapi3.SchemaError {
	var out []*openapi3.SchemaError
	var visit func(error)
	visit = func(err error) {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range me {
				visit(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			out = append(out, se)
		}
	}
	visit(err)
	return out
}

func appendPtr(ptr []string, seg string) []string {
	out := make([]string, len(ptr)+1)
	copy(out, ptr)
	out[len(ptr)] = seg
	return out
}

func escapePointer(ptr []string) []string {
	out := make([]string, len(ptr))
	for i, s := range ptr {
		out[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
	}
	return out
}

func merge[V any](dst, src map[string]V) {
	for k, v := range src {
		dst[k] = v
	}
}

func sortedObjectKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedSchemaKeys(m map[string]*openapi3.Schema) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func allKeys(obj map[string]any) map[string]bool {
	out := make(map[string]bool, len(obj))
	for k := range obj {
		out[k] = true
	}
	return out
}
