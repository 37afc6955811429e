package thirdparty_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copies are the patched modules below this directory, each with the upstream version it was
// copied from and the files its patch changes (each marked "chcloud patch").
var copies = []struct {
	dir, upstream string
	patched       []string
}{
	{"jsonschema", "github.com/santhosh-tekuri/jsonschema/v6 v6.0.3", []string{"./draft.go", "./compiler.go"}},
	{"gojq", "github.com/itchyny/gojq v0.12.20", []string{"./builtin.go", "./func.go", "./compiler.go"}},
}

// TestCopiesDifferOnlyByThePatch keeps each patched copy honest: every file listed in its
// UPSTREAM.sha256 other than the patched ones is byte for byte upstream, the patched ones carry
// the marker, and no Go file was added.
func TestCopiesDifferOnlyByThePatch(t *testing.T) {
	for _, c := range copies {
		t.Run(c.dir, func(t *testing.T) {
			patched := map[string]bool{}
			for _, name := range c.patched {
				patched[name] = true
			}
			listed := map[string]bool{}
			manifest, err := os.ReadFile(filepath.Join(c.dir, "UPSTREAM.sha256"))
			if err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(strings.NewReader(string(manifest)))
			for lines.Scan() {
				sum, name, ok := strings.Cut(lines.Text(), "  ")
				if !ok {
					t.Fatalf("UPSTREAM.sha256: malformed line %q", lines.Text())
				}
				listed[name] = true
				data, err := os.ReadFile(filepath.Join(c.dir, name))
				if err != nil {
					t.Fatalf("%s is listed upstream but missing: %v", name, err)
				}
				got := sha256.Sum256(data)
				same := hex.EncodeToString(got[:]) == sum
				switch {
				case patched[name] && (same || !strings.Contains(string(data), "chcloud patch")):
					t.Errorf("%s should carry the chcloud patch and its marker", name)
				case !patched[name] && !same:
					t.Errorf("%s differs from upstream %s; only %v may (see CHCLOUD-PATCH.md)", name, c.upstream, c.patched)
				}
			}
			for _, name := range c.patched {
				if !listed[name] {
					t.Errorf("patched file %s is not in UPSTREAM.sha256", name)
				}
			}
			err = filepath.WalkDir(c.dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
					return err
				}
				if name := "./" + filepath.ToSlash(strings.TrimPrefix(path, c.dir+string(filepath.Separator))); !listed[name] {
					t.Errorf("%s is not an upstream file", name)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
