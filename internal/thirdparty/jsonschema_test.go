package thirdparty_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// patched are the files of the jsonschema copy that differ from upstream, each marked.
var patched = map[string]bool{"./draft.go": true, "./compiler.go": true}

// TestJSONSchemaCopyDiffersOnlyByThePatch keeps the patched copy honest: every file listed in
// UPSTREAM.sha256 other than the patched ones is byte for byte upstream, the patched ones carry
// the marker, and no Go file was added.
func TestJSONSchemaCopyDiffersOnlyByThePatch(t *testing.T) {
	const dir = "jsonschema"
	manifest, err := os.Open(filepath.Join(dir, "UPSTREAM.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	defer manifest.Close()
	listed := map[string]bool{}
	lines := bufio.NewScanner(manifest)
	for lines.Scan() {
		sum, name, ok := strings.Cut(lines.Text(), "  ")
		if !ok {
			t.Fatalf("UPSTREAM.sha256: malformed line %q", lines.Text())
		}
		listed[name] = true
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s is listed upstream but missing: %v", name, err)
		}
		got := sha256.Sum256(data)
		same := hex.EncodeToString(got[:]) == sum
		switch {
		case patched[name] && !strings.Contains(string(data), "chcloud patch"):
			t.Errorf("%s should carry the chcloud patch and its marker", name)
		case !patched[name] && !same:
			t.Errorf("%s differs from upstream v6.0.3; only %v may (see CHCLOUD-PATCH.md)", name, patched)
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		if name := "./" + filepath.ToSlash(strings.TrimPrefix(path, dir+string(filepath.Separator))); !listed[name] {
			t.Errorf("%s is not an upstream file", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

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
