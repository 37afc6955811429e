package thirdparty_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestJSONSchemaMetaSchemasLoadOnFirstUse proves the patch keeps the library's behaviour: the
// first compilations (several at once) validate schemas against their draft's meta-schema, which
// only works if the meta-schemas were compiled on the way.
func TestJSONSchemaMetaSchemasLoadOnFirstUse(t *testing.T) {
	drafts := []string{
		"https://json-schema.org/draft/2020-12/schema",
		"https://json-schema.org/draft/2019-09/schema",
		"http://json-schema.org/draft-07/schema#",
		"http://json-schema.org/draft-06/schema#",
		"http://json-schema.org/draft-04/schema#",
	}
	var wg sync.WaitGroup
	errs := make([]error, len(drafts))
	for i, draft := range drafts {
		wg.Go(func() {
			c := jsonschema.NewCompiler()
			bad := map[string]any{"$schema": draft, "type": 5}
			if err := c.AddResource("bad.json", bad); err != nil {
				errs[i] = err
				return
			}
			_, err := c.Compile("bad.json")
			var invalid *jsonschema.SchemaValidationError
			if !errors.As(err, &invalid) {
				errs[i] = errors.New(draft + `: {"type": 5} compiled without a meta-schema error: ` + errString(err))
				return
			}
			good := map[string]any{"$schema": draft, "type": "string", "maxLength": 2}
			if err := c.AddResource("good.json", good); err != nil {
				errs[i] = err
				return
			}
			sch, err := c.Compile("good.json")
			if err != nil {
				errs[i] = err
				return
			}
			if sch.Validate("ab") != nil || sch.Validate("abc") == nil {
				errs[i] = errors.New(draft + ": maxLength 2 not applied")
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

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}
