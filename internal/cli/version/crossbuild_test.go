package version

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// releaseTargets are the platforms `make cross` and the release workflow build, read from the
// Makefile so that this test checks what is released.
func releaseTargets(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(moduleRoot(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^CROSS_TARGETS\s*=\s*(.+)$`).FindSubmatch(raw)
	if m == nil {
		t.Fatal("the Makefile has no CROSS_TARGETS line")
	}
	targets := strings.Fields(string(m[1]))
	for _, want := range []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"} {
		if !slices.Contains(targets, want) {
			t.Errorf("CROSS_TARGETS lacks %s", want)
		}
	}
	return targets
}

// typeCheck type-checks pattern and everything it imports from source, for one GOOS/GOARCH with
// cgo off (as the release builds), and returns the errors. It finds what breaks a cross build in
// practice (a syscall or a file that one platform lacks, a build constraint that drops a
// declaration) in seconds; compiling and linking a target takes minutes on a small machine, which
// `make cross` and the release workflow spend instead.
func typeCheck(t *testing.T, dir, pattern, target string) []packages.Error {
	t.Helper()
	goos, goarch, _ := strings.Cut(target, "/")
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps |
			packages.NeedSyntax | packages.NeedTypes,
		Dir: dir,
		Env: append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOWORK=off"),
	}
	pkgs, err := packages.Load(cfg, pattern)
	if err != nil {
		t.Fatalf("%s: loading %s: %v", target, pattern, err)
	}
	var errs []packages.Error
	packages.Visit(pkgs, nil, func(p *packages.Package) { errs = append(errs, p.Errors...) })
	return errs
}

// TestCrossBuildsTypeCheck: the CLI compiles for every release platform.
func TestCrossBuildsTypeCheck(t *testing.T) {
	root := moduleRoot(t)
	for _, target := range releaseTargets(t) {
		t.Run(strings.ReplaceAll(target, "/", "_"), func(t *testing.T) {
			t.Parallel() // as many at once as -parallel allows (GOMAXPROCS): each holds a whole program's types
			for _, e := range typeCheck(t, root, "./cmd/chcloud", target) {
				t.Errorf("%s: %v", target, e)
			}
		})
	}
}

// TestTypeCheckSeesPlatformDifferences: the check above would notice a call that one platform
// lacks (syscall.Kill does not exist on Windows).
func TestTypeCheckSeesPlatformDifferences(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":  "module example.com/probe\n\ngo 1.26\n",
		"main.go": "package main\n\nimport \"syscall\"\n\nfunc main() { _ = syscall.Kill(0, 0) }\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if errs := typeCheck(t, dir, ".", "linux/amd64"); len(errs) != 0 {
		t.Errorf("linux: %v", errs)
	}
	if errs := typeCheck(t, dir, ".", "windows/amd64"); len(errs) == 0 {
		t.Error("windows: syscall.Kill type-checks, so the cross check proves nothing")
	}
}
