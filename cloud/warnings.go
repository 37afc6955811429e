package cloud

import (
	"net/http"
	"reflect"
)

// DecodeWarning is one value of an answer that the generated types cannot hold, which tolerant
// decoding replaced by null so that the rest of the answer decodes: a createdAt that is not a
// date-time, a string where a number is declared, an object where a string is. The field keeps
// its zero value (nil for a pointer, the zero time.Time, null for a nullable.Nullable).
//
// It names where the value was and what it was, never the value itself: a dropped value may be
// a secret.
type DecodeWarning struct {
	// Path is the value's JSON path in the answer, with array indices: $.result[3].createdAt.
	Path string
	// Want is what the document declares there: "date-time", "date", "string", "integer",
	// "number", "boolean", "object", "array", or several joined with " or ".
	Want string
	// Got is the JSON kind of the value sent: "string", "number", "boolean", "object" or "array".
	Got string
}

func (w DecodeWarning) String() string {
	return w.Path + ": dropped a " + w.Got + " where the document declares " + w.Want
}

// DecodeWarnings returns the values tolerant decoding dropped from an answer, in the order they
// appear, or nil when it dropped none. resp is what a generated <Operation>WithResponse method of
// a Client returned (the same value given to Result or Check), or an *http.Response returned by
// the transport of Client.HTTPClient(). Anything else, or an answer that did not come through a
// Client, has no warnings.
//
//	resp, err := c.InstanceGetListWithResponse(ctx, orgID, nil)
//	services, err := cloud.Result(resp, err)
//	for _, w := range cloud.DecodeWarnings(resp) {
//		log.Printf("ignored %s", w) // $.result[3].createdAt: dropped a string where the document declares date-time
//	}
func DecodeWarnings(resp any) []DecodeWarning {
	httpResp, ok := resp.(*http.Response)
	if !ok {
		v := reflect.ValueOf(resp)
		if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
			return nil
		}
		l, err := layoutOf(v.Type())
		if err != nil {
			return nil
		}
		httpResp, _ = v.Elem().Field(l.httpResponse).Interface().(*http.Response)
	}
	if httpResp == nil {
		return nil
	}
	if b, ok := httpResp.Body.(*bufferedBody); ok {
		return b.dropped
	}
	return nil
}
