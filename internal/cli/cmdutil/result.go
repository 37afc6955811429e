package cmdutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"

	"github.com/chcloud-dev/chcloud/cloud"
)

// RawResult checks a generated response (error statuses become *cloud.APIError) and returns the
// "result" member of its body exactly as the API sent it, so printed JSON keeps every field the
// server returned, including ones the document does not declare yet.
func RawResult(resp any, err error) (json.RawMessage, error) {
	if err := cloud.Check(resp, err); err != nil {
		return nil, err
	}
	body := responseBody(resp)
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	var envelope struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil {
		return nil, fmt.Errorf("the API answered with a body that is not JSON: %w", err)
	}
	return envelope.Result, nil
}

// responseBody reads the Body []byte field every generated *XResponse has.
func responseBody(resp any) []byte {
	v := reflect.ValueOf(resp)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	f := v.FieldByName("Body")
	if !f.IsValid() || f.Type() != reflect.TypeFor[[]byte]() {
		return nil
	}
	return f.Bytes()
}

// JSONBody encodes a request body built from flags (only the fields the user set, since the
// API rejects some fields sent with default values).
func JSONBody(v any) (*bytes.Reader, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding the request body: %w", err)
	}
	return bytes.NewReader(b), nil
}

// ContentJSON is the content type of every JSON request body.
const ContentJSON = "application/json"

// Lookup returns a function that decodes a generated response's result into v (tolerantly:
// only the fields v names), for the reads a command does before acting, such as finding the
// name to show in a confirmation.
func Lookup(v any) func(resp any, err error) error {
	return func(resp any, err error) error {
		raw, err := RawResult(resp, err)
		if err != nil {
			return err
		}
		if len(raw) == 0 {
			return nil
		}
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("reading the answer: %w", err)
		}
		return nil
	}
}

// ReadJSONFile reads a JSON document from a file, or from stdin when path is "-". A missing file
// or invalid JSON is a usage error.
func (f *Factory) ReadJSONFile(path string) ([]byte, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(f.IOStreams.In)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, UsageErrorf("reading %s: %w", path, err)
	}
	if !json.Valid(b) {
		return nil, UsageErrorf("%s is not valid JSON", path)
	}
	return b, nil
}
