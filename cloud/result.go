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
// error. T is the type of the envelope's result field, for example *cloudapi.Service for
// InstanceGet and []cloudapi.Service for InstanceGetList; cloudapi.Service works too.
//
//	svc, err := cloud.Result[*cloudapi.Service](c.InstanceGetWithResponse(ctx, orgID, serviceID))
//
// Values the generated types could not hold were dropped before decoding, so they do not make
// Result fail; keep the response to ask DecodeWarnings which they were.
func Result[T any](resp any, err error) (T, error) {
	var zero T
	env, err := envelope(resp, err)
	if err != nil {
		return zero, err
	}
	out, convErr := convertResult[T](&env)
	if convErr != nil {
		return zero, convErr
	}
	return out, nil
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

// convertResult gives the envelope's result as T: directly, through one pointer level either
// way, or, when the document declares no typed result for this status, decoded from the body.
func convertResult[T any](env *decodedEnvelope) (T, error) {
	var out T
	want := reflect.TypeFor[T]()
	if env.result.IsValid() {
		r := env.result
		if r.Kind() == reflect.Pointer && r.IsNil() {
			return out, fmt.Errorf("cloud: the %s answer has no result: %w", env.layout.operation, ErrNoResult)
		}
		switch {
		case r.Type() == want:
			return r.Interface().(T), nil
		case r.Kind() == reflect.Pointer && r.Type().Elem() == want:
			return r.Elem().Interface().(T), nil
		case want.Kind() == reflect.Pointer && want.Elem() == r.Type():
			p := reflect.New(r.Type())
			p.Elem().Set(r)
			return p.Interface().(T), nil
		}
		return out, fmt.Errorf("cloud: the %s result is a %s, not a %s", env.layout.operation, r.Type(), want)
	}
	var generic struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(env.body, &generic); err != nil || len(generic.Result) == 0 {
		return out, fmt.Errorf("cloud: the %s answer (status %d) has no result: %w", env.layout.operation, env.status, ErrNoResult)
	}
	if err := json.Unmarshal(generic.Result, &out); err != nil {
		return out, &DecodeError{Operation: env.layout.operation, Err: err}
	}
	return out, nil
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
