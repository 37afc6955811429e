package thirdparty_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/itchyny/gojq"
)

// TestGojqFunctionsLoadOnFirstUse proves the patch keeps gojq's behaviour: the first queries
// (several at once) call functions defined in jq (add, map, to_entries), internal Go functions
// (length, ascii_upcase, @base64) and list them (builtins), which only works if both tables were
// built on the way.
func TestGojqFunctionsLoadOnFirstUse(t *testing.T) {
	cases := []struct {
		query string
		input any
		want  any
	}{
		{"add", []any{1, 2, 3}, 6},
		{"map(. * 2)", []any{1, 2}, []any{2, 4}},
		{"to_entries | map(.key)", map[string]any{"a": 1}, []any{"a"}},
		{"length", "four", 4},
		{"ascii_upcase", "abc", "ABC"},
		{"@base64", "hi", "aGk="},
		{`builtins | map(select(. == "add/1" or . == "length/0")) | sort`, nil, []any{"add/1", "length/0"}},
		{`.a as $x | path(..) | length`, map[string]any{"a": 1}, 0},
	}
	var wg sync.WaitGroup
	errs := make([]error, len(cases))
	for i, c := range cases {
		wg.Go(func() {
			q, err := gojq.Parse(c.query)
			if err != nil {
				errs[i] = err
				return
			}
			got, ok := q.Run(c.input).Next()
			if !ok {
				errs[i] = fmt.Errorf("%s: no result", c.query)
				return
			}
			if err, isErr := got.(error); isErr {
				errs[i] = fmt.Errorf("%s: %w", c.query, err)
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				errs[i] = fmt.Errorf("%s on %v = %#v, want %#v", c.query, c.input, got, c.want)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
