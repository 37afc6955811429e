package drift

import (
	"context"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/exp/apidiff"
	"golang.org/x/tools/go/packages"
)

// GoAPIReport is the difference between the exported API of two versions of a Go package, as
// golang.org/x/exp/apidiff sees it.
type GoAPIReport struct {
	Package      string   `json:"package"`
	Incompatible []string `json:"incompatible"` // changes that can break a user's build
	Compatible   []string `json:"compatible"`   // additions
}

// Bump is the smallest version increment the changes require under semantic versioning:
// "major" for any incompatible change, "minor" for additions only, "patch" for none.
func (r *GoAPIReport) Bump() string {
	switch {
	case len(r.Incompatible) > 0:
		return "major"
	case len(r.Compatible) > 0:
		return "minor"
	default:
		return "patch"
	}
}

// Advice says in a sentence what the next release's version number must say.
func (r *GoAPIReport) Advice() string {
	switch r.Bump() {
	case "major":
		return fmt.Sprintf("%d incompatible changes to package %s: the next release needs a new major version (a new minor version while the module is v0), and release notes that list them.", len(r.Incompatible), r.Package)
	case "minor":
		return fmt.Sprintf("%d compatible additions to package %s: the next release needs a new minor version.", len(r.Compatible), r.Package)
	default:
		return fmt.Sprintf("No change to the exported API of package %s: a patch release is enough.", r.Package)
	}
}

// WriteText writes the report for a terminal: the advice, then each change.
func (r *GoAPIReport) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", r.Advice())
	for _, group := range []struct {
		title   string
		changes []string
	}{{"Incompatible changes", r.Incompatible}, {"Compatible changes", r.Compatible}} {
		if len(group.changes) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%d)\n", group.title, len(group.changes))
		for _, c := range group.changes {
			fmt.Fprintf(&b, "  %s\n", c)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CompareGoAPI compares the exported API of the Go package in oldDir with the one in newDir,
// typically a copy of gen/cloudapi taken before `go generate` and gen/cloudapi after it. oldDir
// may be anywhere (a temporary directory); imports are resolved from newDir's module, so the
// two versions share their dependencies. Test files are ignored.
func CompareGoAPI(ctx context.Context, oldDir, newDir string) (*GoAPIReport, error) {
	fset := token.NewFileSet()
	oldPkg, err := parseDir(fset, oldDir)
	if err != nil {
		return nil, err
	}
	newPkg, err := parseDir(fset, newDir)
	if err != nil {
		return nil, err
	}
	imports := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(oldPkg.imports), newPkg.imports...))))
	deps, err := loadImports(ctx, newDir, imports)
	if err != nil {
		return nil, err
	}
	oldTypes, err := typeCheck(fset, oldPkg, deps)
	if err != nil {
		return nil, err
	}
	newTypes, err := typeCheck(fset, newPkg, deps)
	if err != nil {
		return nil, err
	}
	report := &GoAPIReport{Package: newPkg.name, Incompatible: []string{}, Compatible: []string{}}
	for _, c := range apidiff.Changes(oldTypes, newTypes).Changes {
		if c.Compatible {
			report.Compatible = append(report.Compatible, c.Message)
		} else {
			report.Incompatible = append(report.Incompatible, c.Message)
		}
	}
	slices.Sort(report.Compatible)
	slices.Sort(report.Incompatible)
	return report, nil
}

type parsedPackage struct {
	dir     string
	name    string
	files   []*ast.File
	imports []string
}

func parseDir(fset *token.FileSet, dir string) (*parsedPackage, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("drift: reading Go package: %w", err)
	}
	pkg := &parsedPackage{dir: dir}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := build.Default.MatchFile(dir, name); err != nil || !ok {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("drift: parsing Go package: %w", err)
		}
		if pkg.name != "" && f.Name.Name != pkg.name {
			return nil, fmt.Errorf("drift: %s holds two packages, %s and %s", dir, pkg.name, f.Name.Name)
		}
		pkg.name = f.Name.Name
		pkg.files = append(pkg.files, f)
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err == nil && path != "C" && path != "unsafe" {
				pkg.imports = append(pkg.imports, path)
			}
		}
	}
	if len(pkg.files) == 0 {
		return nil, fmt.Errorf("drift: no Go files in %s", dir)
	}
	return pkg, nil
}

// loadImports loads the type information of the packages the compared package imports, from
// export data, resolved in dir's module.
func loadImports(ctx context.Context, dir string, paths []string) (map[string]*types.Package, error) {
	deps := map[string]*types.Package{"unsafe": types.Unsafe}
	if len(paths) == 0 {
		return deps, nil
	}
	cfg := &packages.Config{Context: ctx, Dir: dir, Mode: packages.NeedName | packages.NeedTypes}
	loaded, err := packages.Load(cfg, paths...)
	if err != nil {
		return nil, fmt.Errorf("drift: loading the imports of %s: %w", dir, err)
	}
	for _, p := range loaded {
		if len(p.Errors) > 0 {
			return nil, fmt.Errorf("drift: loading %s: %v", p.PkgPath, p.Errors[0])
		}
		deps[p.PkgPath] = p.Types
	}
	return deps, nil
}

func typeCheck(fset *token.FileSet, pkg *parsedPackage, deps map[string]*types.Package) (*types.Package, error) {
	var firstErr error
	conf := types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if p, ok := deps[path]; ok {
				return p, nil
			}
			return nil, fmt.Errorf("package %s was not loaded", path)
		}),
		Error: func(err error) {
			if firstErr == nil {
				firstErr = err
			}
		},
	}
	checked, _ := conf.Check(pkg.name, fset, pkg.files, nil)
	if firstErr != nil {
		return nil, fmt.Errorf("drift: type-checking %s: %w", pkg.dir, firstErr)
	}
	return checked, nil
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
