package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// One go:generate line in the module, the one that runs this command: a second one elsewhere
// would again make `go generate ./...` depend on the order it visits packages. Nested modules
// (the patched copies in internal/thirdparty keep upstream's own lines) are not part of ./...
func TestOneGoGenerateLine(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := findModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		// Another module (a patched copy in internal/thirdparty) is not part of `go generate ./...`.
		if d.IsDir() && path != root {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, line := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(line, "//go:generate ") {
				lines = append(lines, filepath.ToSlash(rel)+": "+line)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "gen/cloudapi/generate.go: //go:generate go run ../cmd/generate"
	if len(lines) != 1 || lines[0] != want {
		t.Errorf("go:generate lines = %q, want only %q", lines, want)
	}
}

func TestReportChanges(t *testing.T) {
	var b bytes.Buffer
	reportChanges(&b, []string{"A", "B", "C"}, []string{"A", "C", "D"})
	got := b.String()
	for _, want := range []string{"gained 1 operation(s): D\n", "lost 1 operation(s): B\n", "no longer compiles"} {
		if !strings.Contains(got, want) {
			t.Errorf("report %q lacks %q", got, want)
		}
	}
	b.Reset()
	reportChanges(&b, []string{"A"}, []string{"A"})
	if b.Len() != 0 {
		t.Errorf("report with no change = %q, want nothing", b.String())
	}
}

func TestFindModuleRoot(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+modulePath+"\n\ngo 1.24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := findModuleRoot(sub); err != nil || got != dir {
		t.Errorf("findModuleRoot(%s) = %q, %v; want %q", sub, got, err, dir)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := findModuleRoot(other); err == nil || !strings.Contains(err.Error(), "pass -root") {
		t.Errorf("findModuleRoot in another module: err = %v, want one that says to pass -root", err)
	}
}
