package cloudtest

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// synthesizer builds a JSON value that satisfies a schema of the published document: every
// required property, the optional ones down to a depth, enum members, UUIDs where the format
// says uuid, RFC 3339 timestamps, numbers inside their bounds. The same seed gives the same
// value, so an answer the fake invents is stable from one call to the next.
type synthesizer struct {
	rng     *rand.Rand
	now     time.Time
	minimal bool // only required properties: used to tell overlapping oneOf branches apart
}

const (
	// optionalDepth is the nesting level below which optional properties are left out. The
	// document is recursive in places (filters, dashboards); required ones are always kept.
	optionalDepth = 5
	maxDepth      = 24
)

func newSynthesizer(seed uint64, key string, now time.Time) *synthesizer {
	return &synthesizer{rng: rand.New(rand.NewPCG(seed, hashString(key))), now: now.UTC()}
}

// value returns a value valid against ref.
func (g *synthesizer) value(ref *openapi3.SchemaRef, name string, depth int) any {
	if ref == nil || ref.Value == nil || depth > maxDepth {
		return nil
	}
	s := ref.Value
	if s.Const != nil {
		return s.Const
	}
	if len(s.Enum) > 0 {
		return g.enum(s.Enum)
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
		return g.alternative(s, name, depth)
	}
	if len(s.AllOf) > 0 && schemaType(s) == openapi3.TypeObject {
		merged := map[string]any{}
		for _, part := range s.AllOf {
			if m, ok := g.value(part, name, depth).(map[string]any); ok {
				for k, v := range m {
					merged[k] = v
				}
			}
		}
		for k, v := range g.object(s, depth) {
			merged[k] = v
		}
		return merged
	}
	switch schemaType(s) {
	case openapi3.TypeObject:
		return g.object(s, depth)
	case openapi3.TypeArray:
		return g.array(s, name, depth)
	case openapi3.TypeString:
		return g.str(s, name)
	case openapi3.TypeInteger:
		return g.number(s, true)
	case openapi3.TypeNumber:
		return g.number(s, false)
	case openapi3.TypeBoolean:
		if ex, ok := s.Example.(bool); ok {
			return ex
		}
		return g.rng.IntN(2) == 0
	case openapi3.TypeNull:
		return nil
	}
	return name + "-value"
}

// schemaType picks the type to produce: the first non-null one listed, else the one implied by
// the keywords present.
func schemaType(s *openapi3.Schema) string {
	for _, t := range s.Type.Slice() {
		if t != openapi3.TypeNull {
			return t
		}
	}
	switch {
	case s.Type.Includes(openapi3.TypeNull):
		return openapi3.TypeNull
	case len(s.Properties) > 0 || s.AdditionalProperties.Schema != nil:
		return openapi3.TypeObject
	case s.Items != nil:
		return openapi3.TypeArray
	case s.Min != nil || s.Max != nil || s.MultipleOf != nil:
		return openapi3.TypeNumber
	}
	return openapi3.TypeString
}

func (g *synthesizer) enum(values []any) any {
	var candidates []any
	for _, v := range values {
		if v != nil {
			candidates = append(candidates, v)
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	return candidates[g.rng.IntN(len(candidates))]
}

// alternative handles oneOf/anyOf: it tries the branches from a seeded starting point and keeps
// the first value that the whole schema accepts (for oneOf: exactly one branch matches).
func (g *synthesizer) alternative(s *openapi3.Schema, name string, depth int) any {
	branches := s.OneOf
	if len(branches) == 0 {
		branches = s.AnyOf
	}
	var nonNull []*openapi3.SchemaRef
	for _, b := range branches {
		if b.Value != nil && !b.Value.Type.Is(openapi3.TypeNull) {
			nonNull = append(nonNull, b)
		}
	}
	if len(nonNull) == 0 {
		return nil
	}
	own := map[string]any(nil)
	if len(s.Properties) > 0 {
		own = g.object(s, depth)
	}
	start := g.rng.IntN(len(nonNull))
	var first any
	wasMinimal := g.minimal
	defer func() { g.minimal = wasMinimal }()
	for _, minimal := range []bool{wasMinimal, true} {
		g.minimal = minimal
		for i := range nonNull {
			v := g.value(nonNull[(start+i)%len(nonNull)], name, depth)
			if m, ok := v.(map[string]any); ok && own != nil {
				for k, ov := range own {
					if _, set := m[k]; !set {
						m[k] = ov
					}
				}
			}
			if first == nil {
				first = v
			}
			if s.VisitJSON(jsonRoundTrip(v), validationOptions()...) == nil {
				return v
			}
		}
	}
	return first
}

func (g *synthesizer) object(s *openapi3.Schema, depth int) map[string]any {
	out := make(map[string]any, len(s.Properties))
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		prop := s.Properties[name]
		required := slices.Contains(s.Required, name)
		if prop.Value != nil && prop.Value.WriteOnly {
			continue
		}
		if !required && (depth >= optionalDepth || g.minimal) {
			continue
		}
		out[name] = g.value(prop, name, depth+1)
	}
	if len(s.Properties) == 0 && s.AdditionalProperties.Schema != nil && depth < optionalDepth {
		n := max(int(s.MinProps), 1)
		for i := range n {
			out[fmt.Sprintf("key%d", i+1)] = g.value(s.AdditionalProperties.Schema, "value", depth+1)
		}
	}
	return out
}

func (g *synthesizer) array(s *openapi3.Schema, name string, depth int) []any {
	n := int(s.MinItems)
	if n == 0 && depth < optionalDepth {
		n = 1
	}
	if s.MaxItems != nil && n > int(*s.MaxItems) {
		n = int(*s.MaxItems)
	}
	out := make([]any, 0, n)
	seen := map[string]bool{}
	for attempts := 0; len(out) < n && attempts < 4*n+4; attempts++ {
		v := g.value(s.Items, strings.TrimSuffix(name, "s"), depth+1)
		if s.UniqueItems {
			key, _ := json.Marshal(v)
			if seen[string(key)] {
				continue
			}
			seen[string(key)] = true
		}
		out = append(out, v)
	}
	return out
}

var uuidPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
})

func (g *synthesizer) str(s *openapi3.Schema, name string) string {
	var v string
	switch s.Format {
	case "uuid":
		v = formatUUID(g.rng.Uint64(), g.rng.Uint64())
	case "date-time":
		v = g.now.Add(-time.Duration(g.rng.IntN(30*24)) * time.Hour).Truncate(time.Second).Format(time.RFC3339)
	case "date":
		v = g.now.AddDate(0, 0, -g.rng.IntN(30)).Format(time.DateOnly)
	case "email":
		v = "user-" + g.hex(6) + "@example.com"
	case "hostname":
		v = g.hex(10) + ".us-east-1.aws.clickhouse.cloud"
	case "uri":
		v = "https://example.com/" + g.hex(8)
	case "password":
		v = "Fake-Passw0rd-" + g.hex(6)
	default:
		if ex, ok := s.Example.(string); ok && s.Pattern == "" && s.VisitJSON(ex, validationOptions()...) == nil {
			return ex
		}
		v = g.plausibleString(name)
	}
	var patterns []string
	if s.Pattern != "" {
		patterns = append(patterns, s.Pattern)
	}
	for _, part := range s.AllOf {
		if part.Value != nil && part.Value.Pattern != "" {
			patterns = append(patterns, part.Value.Pattern)
		}
	}
	if len(patterns) > 0 {
		v = g.matching(patterns, v)
	}
	if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
		v = v[:*s.MaxLength]
	}
	for uint64(len(v)) < s.MinLength {
		v += "x"
	}
	return v
}

// matching returns a string matching every pattern, preferring candidate.
func (g *synthesizer) matching(patterns []string, candidate string) string {
	var res []*regexp.Regexp
	for _, p := range patterns {
		if re := compiledPattern(p); re != nil {
			res = append(res, re)
		}
	}
	matchesAll := func(c string) bool {
		for _, re := range res {
			if !re.MatchString(c) {
				return false
			}
		}
		return true
	}
	for _, c := range []string{
		candidate,
		formatUUID(g.rng.Uint64(), g.rng.Uint64()),
		"fake_" + g.hex(6),
		"Fake1_" + g.hex(6),
		"Fake-Passw0rd_" + g.hex(6),
	} {
		if matchesAll(c) {
			return c
		}
	}
	return candidate
}

var patterns sync.Map // pattern -> *regexp.Regexp (nil when it does not compile)

func compiledPattern(p string) *regexp.Regexp {
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil
	}
	patterns.Store(p, re)
	return re
}

// plausibleString invents a readable value for a string field from its name, so that
// synthesized answers look like the real API's rather than like random text.
func (g *synthesizer) plausibleString(name string) string {
	lower := strings.ToLower(name)
	switch {
	case lower == "":
		return "value-" + g.hex(6)
	case strings.HasSuffix(lower, "version"):
		return fmt.Sprintf("25.%d.1.%d", 1+g.rng.IntN(12), 1000+g.rng.IntN(9000))
	case strings.HasSuffix(lower, "id") || strings.HasSuffix(lower, "ids"):
		return formatUUID(g.rng.Uint64(), g.rng.Uint64())
	case strings.HasSuffix(lower, "at") && strings.Contains(lower, "ed"): // createdAt, updatedAt...
		return g.now.Add(-time.Duration(g.rng.IntN(30*24)) * time.Hour).Truncate(time.Second).Format(time.RFC3339)
	case strings.Contains(lower, "host"):
		return g.hex(10) + ".us-east-1.aws.clickhouse.cloud"
	case strings.HasSuffix(lower, "url") || strings.HasSuffix(lower, "uri") || strings.HasSuffix(lower, "endpoint"):
		return "https://" + g.hex(8) + ".example.com/"
	case strings.Contains(lower, "email"):
		return "user-" + g.hex(6) + "@example.com"
	case strings.Contains(lower, "region"):
		return "us-east-1"
	case strings.Contains(lower, "description") || lower == "comment":
		return "Synthesized by the chcloud fake server"
	case strings.HasSuffix(lower, "arn") || strings.Contains(lower, "iamrole"):
		return "arn:aws:iam::123456789012:role/chcloud-fake-" + g.hex(6)
	case lower == "source" || strings.Contains(lower, "cidr"):
		return fmt.Sprintf("10.%d.%d.0/24", g.rng.IntN(256), g.rng.IntN(256))
	case strings.HasSuffix(lower, "ipaddress"):
		return fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
	case strings.Contains(lower, "useragent"):
		return "chcloud/0.1.0"
	case strings.Contains(lower, "query") || lower == "sql":
		return "SELECT 1"
	case strings.Contains(lower, "name") || lower == "title":
		return "fake-" + g.hex(6)
	}
	return name + "-" + g.hex(6)
}

func (g *synthesizer) hex(n int) string {
	out := make([]byte, n)
	for i := range out {
		out[i] = lowerHex[g.rng.IntN(16)]
	}
	return string(out)
}

func (g *synthesizer) number(s *openapi3.Schema, integer bool) any {
	if ex, ok := s.Example.(float64); ok && s.VisitJSON(ex, validationOptions()...) == nil && (!integer || ex == math.Trunc(ex)) {
		if integer {
			return int64(ex)
		}
		return ex
	}
	lo, hi := 0.0, 100.0
	if s.Min != nil {
		lo = *s.Min
	}
	if s.ExclusiveMin.Value != nil {
		lo = math.Max(lo, *s.ExclusiveMin.Value+1)
	} else if s.ExclusiveMin.IsTrue() && s.Min != nil {
		lo = *s.Min + 1
	}
	if s.Max != nil {
		hi = *s.Max
	} else {
		hi = lo + 100
	}
	if s.ExclusiveMax.Value != nil {
		hi = math.Min(hi, *s.ExclusiveMax.Value-1)
	} else if s.ExclusiveMax.IsTrue() && s.Max != nil {
		hi = *s.Max - 1
	}
	if hi < lo {
		hi = lo
	}
	step := 1.0
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		step = *s.MultipleOf
	}
	first := math.Ceil(lo/step) * step
	count := int(math.Floor((hi-first)/step)) + 1
	v := first
	if count > 1 {
		v = first + step*float64(g.rng.IntN(min(count, 16)))
	}
	if integer {
		return int64(v)
	}
	return v
}

// jsonRoundTrip turns Go values built by the synthesizer (int64, []any...) into what
// encoding/json would decode, which is what kin-openapi's validator expects.
func jsonRoundTrip(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		return v
	}
	return out
}

// validationOptions are the schema options used for every validation the fake does: the formats
// the document uses and that kin-openapi does not check by default, registered per validation so
// that the process-wide kin-openapi settings of other packages stay untouched.
var validationOptions = sync.OnceValue(func() []openapi3.SchemaValidationOption {
	return []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidators(map[string]openapi3.StringFormatValidator{
		"uuid":  openapi3.NewRegexpFormatValidator(uuidPattern().String()),
		"email": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail),
	})}
})
