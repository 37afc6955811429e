package cloud

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/oapi-codegen/runtime/types"
)

// normalize returns body repaired for the generated types, whether it changed anything, and the
// values it dropped. A number that stands where s declares only a string becomes a JSON string;
// a value the generated type at its position cannot take (a date-time or date that does not
// parse, a string where a number is declared, an object where a string is...) becomes null, and
// is reported. Bodies that are not valid JSON come back unchanged, for the decoder to report.
func (s *responseShape) normalize(body []byte) ([]byte, bool, []DecodeWarning) {
	if !s.fullWalk && !s.mayNeedRepair(body) {
		return body, false, nil
	}
	w := walker{data: body}
	if !w.value(s.root, false) || len(w.edits) == 0 {
		return body, false, nil
	}
	out := make([]byte, 0, len(body)+2*len(w.edits))
	last := 0
	for _, e := range w.edits {
		out = append(out, body[last:e.start]...)
		if e.null {
			out = append(out, "null"...)
		} else {
			out = append(out, '"')
			out = append(out, body[e.start:e.end]...)
			out = append(out, '"')
		}
		last = e.end
	}
	return append(out, body[last:]...), true, w.dropped
}

// fits reports whether body decodes into the generated types as it is: valid JSON in which
// nothing needs quoting or dropping.
func (s *responseShape) fits(body []byte) bool {
	if !json.Valid(body) {
		return false
	}
	w := walker{data: body}
	return w.value(s.root, false) && len(w.edits) == 0
}

// mayNeedRepair is the fast path: one pass over the bytes, remembering only the nearest property
// name (as its entry in s.names), and true as soon as a value appears that the filter does not
// clear for that name: a kind some declaration of the name refuses (a number where a string is
// declared, a string where an object is...), a date that does not parse, a number that may not
// fit. Array elements count as standing under the array's name. It errs on the side of true;
// the schema-guided walk then decides.
func (s *responseShape) mayNeedRepair(b []byte) bool {
	type frame struct {
		object bool
		name   *nameEntry
	}
	var stack [48]frame
	depth := 0
	name := s.names.lookup(nil) // the root stands under the name ""
	expectKey := false
	for i := 0; i < len(b); {
		switch c := b[i]; c {
		case '{', '[':
			if depth == len(stack) {
				return true
			}
			need := kindArray
			if c == '{' {
				need = kindObject
			}
			if name.rule(depth > 0 && !stack[depth-1].object)&nameRule(need) == 0 {
				return true
			}
			stack[depth] = frame{object: c == '{', name: name}
			depth++
			expectKey = c == '{'
			i++
		case '}', ']':
			if depth > 0 {
				depth--
			}
			if depth > 0 && !stack[depth-1].object {
				name = stack[depth-1].name
			}
			i++
		case ',':
			expectKey = depth > 0 && stack[depth-1].object
			i++
		case '"':
			end := stringEnd(b, i)
			if end < 0 {
				return false
			}
			if expectKey {
				name = s.names.lookup(b[i+1 : end-1])
				expectKey = false
			} else {
				r := name.rule(depth > 0 && !stack[depth-1].object)
				if r&nameRule(kindString) == 0 {
					return true
				}
				if r&(ruleDateTime|ruleDate) != 0 && !validDate(r, b[i:end]) {
					return true
				}
			}
			i = end
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			start := i
			need, exponent := kindInteger, false
			for i < len(b) && isNumberByte(b[i]) {
				switch b[i] {
				case '.':
					need = kindFraction
				case 'e', 'E':
					need, exponent = kindFraction, true
				}
				i++
			}
			r := name.rule(depth > 0 && !stack[depth-1].object)
			if r&nameRule(need) == 0 || ((exponent || i-start > 15) && r&nameRule(kindString) == 0) {
				return true // refused, or large enough that it may not fit a float32 or an int
			}
		case 't', 'f': // only true and false have these letters outside strings, first
			if name.rule(depth > 0 && !stack[depth-1].object)&nameRule(kindBool) == 0 {
				return true
			}
			i++
		default:
			i++
		}
	}
	return false
}

func (e *nameEntry) rule(inArray bool) nameRule {
	if inArray {
		return e.inArray
	}
	return e.direct
}

// validDate reports whether the JSON string raw passes every date check r asks for, decoded the
// way the generated types decode it (time.Time and openapi_types.Date).
func validDate(r nameRule, raw []byte) bool {
	if r&ruleDateTime != 0 {
		var t time.Time
		if t.UnmarshalJSON(raw) != nil {
			return false
		}
	}
	if r&ruleDate != 0 {
		var d types.Date
		if d.UnmarshalJSON(raw) != nil {
			return false
		}
	}
	return true
}

// stringEnd returns the index just past the string starting at b[start] == '"', or -1. Strings
// are most of an answer's bytes, so it jumps from quote to quote with bytes.IndexByte (vectorised)
// and only then looks back: a quote preceded by an odd run of backslashes is escaped.
func stringEnd(b []byte, start int) int {
	for i := start + 1; i <= len(b); {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		q := i + j
		backslashes := 0
		for k := q - 1; k > start && b[k] == '\\'; k-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
	return -1
}

func skipJSONSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

func isNumberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// edit is one change to a body: quote the number at [start, end), or replace the value there by null.
type edit struct {
	start, end int
	null       bool
}

// pathSegment is one step of a JSON path: a property name, or an array index when index >= 0.
type pathSegment struct {
	key   string
	index int
}

// walker parses JSON along a schema and collects the edits that make it decodable.
type walker struct {
	data    []byte
	pos     int
	depth   int
	edits   []edit
	path    []pathSegment
	dropped []DecodeWarning
}

func (w *walker) skipSpace() { w.pos = skipJSONSpace(w.data, w.pos) }

// value walks the value at w.pos declared as n. inUnion says that n lies under a oneOf or anyOf,
// generated as a union that keeps the raw JSON: nothing there is dropped (numbers for strings
// are still quoted, for the union's As methods).
func (w *walker) value(n *schemaNode, inUnion bool) bool {
	w.skipSpace()
	if w.pos >= len(w.data) || w.depth > 512 {
		return false
	}
	start := w.pos
	canDrop := !inUnion && n.strict()
	childUnion := inUnion || (n != nil && n.loose)
	switch c := w.data[w.pos]; {
	case c == '{':
		if canDrop && n.kinds&kindObject == 0 {
			return w.object(nil, true) && w.drop(start, n, "object")
		}
		return w.object(n, childUnion)
	case c == '[':
		if canDrop && n.kinds&kindArray == 0 {
			return w.array(nil, true) && w.drop(start, n, "array")
		}
		return w.array(n, childUnion)
	case c == '"':
		end := stringEnd(w.data, w.pos)
		if end < 0 {
			return false
		}
		w.pos = end
		if canDrop && (n.kinds&kindString == 0 || !validFormat(n.format, w.data[start:end])) {
			return w.drop(start, n, "string")
		}
		return true
	case c == '-' || (c >= '0' && c <= '9'):
		for w.pos < len(w.data) && isNumberByte(w.data[w.pos]) {
			w.pos++
		}
		switch {
		case canDrop && !numberFits(n, w.data[start:w.pos]):
			return w.drop(start, n, "number")
		case n.stringOnly():
			w.edits = append(w.edits, edit{start: start, end: w.pos})
		}
		return true
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if len(w.data)-w.pos >= len(lit) && string(w.data[w.pos:w.pos+len(lit)]) == lit {
				w.pos += len(lit)
				if canDrop && lit != "null" && n.kinds&kindBool == 0 {
					return w.drop(start, n, "boolean")
				}
				return true
			}
		}
		return false
	}
}

// drop replaces the value at [start, w.pos) by null and records it.
func (w *walker) drop(start int, n *schemaNode, got string) bool {
	w.edits = append(w.edits, edit{start: start, end: w.pos, null: true})
	w.dropped = append(w.dropped, DecodeWarning{Path: w.pathString(), Want: n.want(), Got: got})
	return true
}

func (w *walker) pathString() string {
	var b strings.Builder
	b.WriteByte('$')
	for _, seg := range w.path {
		switch {
		case seg.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(seg.index))
			b.WriteByte(']')
		case plainPathKey(seg.key):
			b.WriteByte('.')
			b.WriteString(seg.key)
		default:
			b.WriteString("['")
			b.WriteString(strings.ReplaceAll(seg.key, "'", `\'`))
			b.WriteString("']")
		}
	}
	return b.String()
}

// plainPathKey reports whether a property name can follow a dot in a JSON path
// ([A-Za-z_$][A-Za-z0-9_$-]*, the form the conformance findings use).
func plainPathKey(k string) bool {
	if k == "" {
		return false
	}
	for i, r := range k {
		switch {
		case r == '_' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && (r == '-' || (r >= '0' && r <= '9')):
		default:
			return false
		}
	}
	return true
}

func validFormat(format uint8, raw []byte) bool {
	switch format {
	case formatDateTime:
		return validDate(ruleDateTime, raw)
	case formatDate:
		return validDate(ruleDate, raw)
	}
	return true
}

// numberFits reports whether the number token fits the generated type at n: an int for an
// integer, a float32 for a number (oapi-codegen's choices), anything for a string-or-number.
// A token that is not a number at all is left for the decoder to report.
func numberFits(n *schemaNode, tok []byte) bool {
	switch {
	case n.format != 0:
		return false // a date is a string; a quoted number would not parse either
	case n.kinds&kindFraction != 0:
		if n.kinds&kindString != 0 {
			return true
		}
		_, err := strconv.ParseFloat(string(tok), 32)
		return !errors.Is(err, strconv.ErrRange)
	case n.kinds&kindInteger != 0:
		if bytes.ContainsAny(tok, ".eE") {
			return false
		}
		_, err := strconv.ParseInt(string(tok), 10, 64)
		return !errors.Is(err, strconv.ErrRange)
	}
	return n.stringOnly() // a number where a string is declared is quoted, not dropped
}

func (w *walker) object(n *schemaNode, inUnion bool) bool {
	w.pos++ // {
	w.depth++
	defer func() { w.depth-- }()
	w.skipSpace()
	if w.pos < len(w.data) && w.data[w.pos] == '}' {
		w.pos++
		return true
	}
	for {
		w.skipSpace()
		if w.pos >= len(w.data) || w.data[w.pos] != '"' {
			return false
		}
		end := stringEnd(w.data, w.pos)
		if end < 0 {
			return false
		}
		key := string(w.data[w.pos+1 : end-1])
		w.pos = end
		w.skipSpace()
		if w.pos >= len(w.data) || w.data[w.pos] != ':' {
			return false
		}
		w.pos++
		w.path = append(w.path, pathSegment{key: key, index: -1})
		ok := w.value(n.child(key), inUnion)
		w.path = w.path[:len(w.path)-1]
		if !ok {
			return false
		}
		w.skipSpace()
		if w.pos >= len(w.data) {
			return false
		}
		switch w.data[w.pos] {
		case ',':
			w.pos++
		case '}':
			w.pos++
			return true
		default:
			return false
		}
	}
}

func (w *walker) array(n *schemaNode, inUnion bool) bool {
	w.pos++ // [
	w.depth++
	defer func() { w.depth-- }()
	var items *schemaNode
	if n != nil {
		items = n.items
	}
	w.skipSpace()
	if w.pos < len(w.data) && w.data[w.pos] == ']' {
		w.pos++
		return true
	}
	for i := 0; ; i++ {
		w.path = append(w.path, pathSegment{index: i})
		ok := w.value(items, inUnion)
		w.path = w.path[:len(w.path)-1]
		if !ok {
			return false
		}
		w.skipSpace()
		if w.pos >= len(w.data) {
			return false
		}
		switch w.data[w.pos] {
		case ',':
			w.pos++
		case ']':
			w.pos++
			return true
		default:
			return false
		}
	}
}
