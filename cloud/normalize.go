package cloud

import "bytes"

// normalize returns body with every number that stands where s declares only a string turned
// into a JSON string, and whether it changed anything. Bodies that are not valid JSON come back
// unchanged, for the decoder to report.
func (s *responseShape) normalize(body []byte) ([]byte, bool) {
	if !s.fullWalk && !s.mayHoldNumberAsString(body) {
		return body, false
	}
	w := walker{data: body}
	if !w.value(s.root) || len(w.quote) == 0 {
		return body, false
	}
	out := make([]byte, 0, len(body)+2*len(w.quote))
	last := 0
	for _, span := range w.quote {
		out = append(out, body[last:span[0]]...)
		out = append(out, '"')
		out = append(out, body[span[0]:span[1]]...)
		out = append(out, '"')
		last = span[1]
	}
	return append(out, body[last:]...), true
}

// mayHoldNumberAsString is the fast path: one pass over the bytes, remembering only the nearest
// property name, and true as soon as a number appears under a name that s declares as a string
// somewhere. Array elements count as standing under the array's name. It errs on the side of
// true; the schema-guided walk then decides.
func (s *responseShape) mayHoldNumberAsString(b []byte) bool {
	type frame struct {
		object bool
		key    []byte
	}
	var stack [48]frame
	depth := 0
	var key []byte
	expectKey := false
	for i := 0; i < len(b); {
		switch c := b[i]; c {
		case '{', '[':
			if depth == len(stack) {
				return true
			}
			stack[depth] = frame{object: c == '{', key: key}
			depth++
			expectKey = c == '{'
			i++
		case '}', ']':
			if depth > 0 {
				depth--
			}
			if depth > 0 && !stack[depth-1].object {
				key = stack[depth-1].key
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
				key = b[i+1 : end-1]
				expectKey = false
			}
			i = end
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			if s.stringNames[string(key)] {
				return true
			}
			for i < len(b) && isNumberByte(b[i]) {
				i++
			}
		default:
			i++
		}
	}
	return false
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

func isNumberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// walker parses JSON along a schema and collects the spans of numbers to quote.
type walker struct {
	data  []byte
	pos   int
	depth int
	quote [][2]int
}

func (w *walker) skipSpace() { w.pos = skipJSONSpace(w.data, w.pos) }

func (w *walker) value(n *schemaNode) bool {
	w.skipSpace()
	if w.pos >= len(w.data) || w.depth > 512 {
		return false
	}
	switch c := w.data[w.pos]; {
	case c == '{':
		return w.object(n)
	case c == '[':
		return w.array(n)
	case c == '"':
		end := stringEnd(w.data, w.pos)
		if end < 0 {
			return false
		}
		w.pos = end
		return true
	case c == '-' || (c >= '0' && c <= '9'):
		start := w.pos
		for w.pos < len(w.data) && isNumberByte(w.data[w.pos]) {
			w.pos++
		}
		if n.stringOnly() {
			w.quote = append(w.quote, [2]int{start, w.pos})
		}
		return true
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if len(w.data)-w.pos >= len(lit) && string(w.data[w.pos:w.pos+len(lit)]) == lit {
				w.pos += len(lit)
				return true
			}
		}
		return false
	}
}

func (w *walker) object(n *schemaNode) bool {
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
		if !w.value(n.child(key)) {
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

func (w *walker) array(n *schemaNode) bool {
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
	for {
		if !w.value(items) {
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
