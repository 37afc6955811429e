package cloud

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/oapi-codegen/runtime/types"
)

// Result takes what a generated <Operation>WithResponse method returns and gives the typed
// `result` of its success envelope, or an error: *APIError for any non-2xx answer (declared in
// the document or not), *DecodeError when the answer could not be decoded, or the transport
// error. T is the type the document declares for the operation's result, inferred by the
// compiler from the response type (its generated Result method, see Typed): *cloudapi.Service
// for InstanceGet, []cloudapi.Service for InstanceGetList. An operation whose answers carry no
// result has no Result method, and is checked with Check.
//
//	svc, err := cloud.Result(c.InstanceGetWithResponse(ctx, orgID, serviceID)) // svc is a *cloudapi.Service
//
// Values the generated types could not hold were dropped before decoding, so they do not make
// Result fail; keep the response to ask DecodeWarnings which they were.
func Result[T any, R Typed[T]](resp R, err error) (T, error) {
	var zero T
	env, err := envelope(resp, err)
	if err != nil {
		return zero, err
	}
	if out, ok := resp.Result(); ok {
		return out, nil
	}
	if env.result.IsValid() {
		return zero, fmt.Errorf("cloud: the %s answer has no result: %w", env.layout.operation, ErrNoResult)
	}
	// A 2xx status the document does not declare (201 for a documented 200...): the generated
	// parser left the body alone, and its result is read as the declared type.
	var generic struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(env.body, &generic); err != nil || len(generic.Result) == 0 || string(generic.Result) == "null" {
		return zero, fmt.Errorf("cloud: the %s answer (status %d) has no result: %w", env.layout.operation, env.status, ErrNoResult)
	}
	var out T
	if err := json.Unmarshal(generic.Result, &out); err != nil {
		return zero, &DecodeError{Operation: env.layout.operation, Err: err}
	}
	return out, nil
}

// Typed is a generated response (*cloudapi.<Operation>Response) whose success answers carry a
// result of type T: gen/cloudapi/results.gen.go gives each such response a Result method, which
// returns the result and whether the answer has one.
type Typed[T any] interface {
	Result() (T, bool)
}

// Check is Result for calls whose result is not needed (DELETE answers have none): nil for a 2xx
// answer, otherwise the same errors as Result.
func Check(resp any, err error) error {
	_, err = envelope(resp, err)
	return err
}

// ErrNoResult is wrapped by Result when a success answer carries no result. The real API answers
// that way at times (PATCH .../state with a bare {}, DELETE without result): the call succeeded,
// and the caller reads the resource again if it needs it.
var ErrNoResult = errors.New("the success answer carries no result")

// DecodeError says that a 2xx answer could not be decoded into the generated types.
type DecodeError struct {
	Operation string // e.g. "InstanceGet"
	Err       error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("cloud: decoding the %s answer: %v", e.Operation, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// responseLayout is where a generated *XResponse type keeps its parts.
type responseLayout struct {
	operation    string
	httpResponse int           // index of HTTPResponse
	body         int           // index of Body
	typed        map[int]int   // status -> index of its JSONnnn field
	result       map[int][]int // status -> index path of the result field inside JSONnnn
	resultType   map[int]reflect.Type
}

var layouts sync.Map // reflect.Type -> *responseLayout

func layoutOf(t reflect.Type) (*responseLayout, error) {
	if l, ok := layouts.Load(t); ok {
		return l.(*responseLayout), nil
	}
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("cloud: %s is not a generated response type", t)
	}
	st := t.Elem()
	l := &responseLayout{operation: strings.TrimSuffix(st.Name(), "Response"), httpResponse: -1, body: -1,
		typed: map[int]int{}, result: map[int][]int{}, resultType: map[int]reflect.Type{}}
	for i := range st.NumField() {
		f := st.Field(i)
		switch {
		case f.Name == "HTTPResponse" && f.Type == reflect.TypeFor[*http.Response]():
			l.httpResponse = i
		case f.Name == "Body" && f.Type == reflect.TypeFor[[]byte]():
			l.body = i
		case len(f.Name) == 7 && strings.HasPrefix(f.Name, "JSON") && f.Type.Kind() == reflect.Pointer:
			var status int
			if _, err := fmt.Sscanf(f.Name[4:], "%d", &status); err != nil {
				continue
			}
			l.typed[status] = i
			if env := f.Type.Elem(); env.Kind() == reflect.Struct {
				for j := range env.NumField() {
					ef := env.Field(j)
					if name, _, _ := strings.Cut(ef.Tag.Get("json"), ","); name == "result" {
						l.result[status] = ef.Index
						l.resultType[status] = ef.Type
					}
				}
			}
		}
	}
	if l.httpResponse < 0 || l.body < 0 {
		return nil, fmt.Errorf("cloud: %s is not a generated response type", t)
	}
	actual, _ := layouts.LoadOrStore(t, l)
	return actual.(*responseLayout), nil
}

// decodedEnvelope is a successful answer, with its typed result when the document declares one.
type decodedEnvelope struct {
	layout     *responseLayout
	status     int
	result     reflect.Value // invalid when there is no typed result
	resultType reflect.Type
	body       []byte
}

func envelope(resp any, err error) (decodedEnvelope, error) {
	var none decodedEnvelope
	v := reflect.ValueOf(resp)
	if err != nil {
		if v.IsValid() && isDecodeError(err) {
			if l, lerr := layoutOf(v.Type()); lerr == nil {
				return none, &DecodeError{Operation: l.operation, Err: err}
			}
		}
		return none, err
	}
	if !v.IsValid() || v.IsNil() {
		return none, errors.New("cloud: no response")
	}
	l, lerr := layoutOf(v.Type())
	if lerr != nil {
		return none, lerr
	}
	s := v.Elem()
	httpResp, _ := s.Field(l.httpResponse).Interface().(*http.Response)
	body := s.Field(l.body).Bytes()
	if httpResp == nil {
		return none, errors.New("cloud: response without HTTPResponse")
	}
	status := httpResp.StatusCode
	if status < 200 || status > 299 {
		return none, ParseResponseError(httpResp, body)
	}
	env := decodedEnvelope{layout: l, status: status, body: body}
	if idx, ok := l.typed[status]; ok {
		if typed := s.Field(idx); !typed.IsNil() {
			if path, ok := l.result[status]; ok {
				env.result = typed.Elem().FieldByIndex(path)
				env.resultType = l.resultType[status]
			}
		}
	}
	return env, nil
}

// isDecodeError recognises the errors a generated Parse function returns when the body does not
// fit the generated types (the transport has already read the body, so reading cannot fail).
func isDecodeError(err error) bool {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var timeErr *time.ParseError
	return errors.As(err, &syntax) || errors.As(err, &typeErr) || errors.As(err, &timeErr) ||
		errors.Is(err, types.ErrValidationEmail)
}
