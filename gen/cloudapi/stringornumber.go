package cloudapi

// This file is hand-written: it holds the one type that spec/overlay.yaml maps multi-type unions to.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// StringOrNumber is a value the document types as `[string, integer]` or `[string, number]`, such
// as Postgres settings that accept 65536 as well as "64MB". It remembers which form it holds, so a
// value read from the API is sent back exactly as it came.
type StringOrNumber struct {
	text     string
	isNumber bool
}

// NewString returns a StringOrNumber that is sent as a JSON string.
func NewString(s string) StringOrNumber { return StringOrNumber{text: s} }

// NewNumber returns a StringOrNumber that is sent as a JSON number.
func NewNumber(n float64) StringOrNumber {
	return StringOrNumber{text: strconv.FormatFloat(n, 'f', -1, 64), isNumber: true}
}

// NewInt returns a StringOrNumber that is sent as a JSON integer.
func NewInt(n int64) StringOrNumber {
	return StringOrNumber{text: strconv.FormatInt(n, 10), isNumber: true}
}

// String returns the value as text, whichever form it has.
func (v StringOrNumber) String() string { return v.text }

// IsNumber reports whether the value is a JSON number.
func (v StringOrNumber) IsNumber() bool { return v.isNumber }

// Float64 returns the value as a number, parsing a string form when it holds one.
func (v StringOrNumber) Float64() (float64, error) { return strconv.ParseFloat(v.text, 64) }

// MarshalJSON writes a number or a string, the form the value was built or read with.
func (v StringOrNumber) MarshalJSON() ([]byte, error) {
	if v.isNumber {
		return []byte(v.text), nil
	}
	return json.Marshal(v.text)
}

// UnmarshalJSON accepts a JSON string or number; null leaves the value unchanged.
func (v *StringOrNumber) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		return nil
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*v = StringOrNumber{text: s}
		return nil
	default:
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return fmt.Errorf("StringOrNumber: want a string or a number, got %s", data)
		}
		*v = StringOrNumber{text: n.String(), isNumber: true}
		return nil
	}
}
