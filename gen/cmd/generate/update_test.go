package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The update path on a document that gains one operation and loses one that hand-written code
// calls: generation must complete (every generated file rewritten, in dependency order), and the
// only failure left must be a compile error in the hand-written code that used the removed
// operation, at its file and line.
const (
	removedOperation = "organizationRoleGet" // called by internal/cli/role today
	addedOperation   = "generateProbeGet"
	addedPath        = "/v1/organizations/{organizationId}/generateProbes/{probeId}"
)

func TestUpdatePathAddedAndRemovedOperation(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH:", err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := findModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyModule(t, root, dir)
	editDocument(t, filepath.Join(dir, "spec", "openapi.json"))
	oldClient := filepath.Join(root, filepath.FromSlash(clientFile))
	newClient := filepath.Join(dir, filepath.FromSlash(clientFile))

	// -mod=mod and GOWORK=off make the copy a module of its own; dependencies come from the
	// module cache. (Not -trimpath: it would keep the copy's packages cached from one run to the
	// next, but it also rebuilds every dependency on a cold cache, about twice this test's time.)
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"))

	start := time.Now()
	gen := exec.Command(goCmd, "run", "./gen/cmd/generate")
	gen.Dir, gen.Env = dir, env
	out, err := gen.CombinedOutput()
	t.Logf("generate (%s):\n%s", time.Since(start).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("generation did not complete on a document with one operation added and one removed: %v", err)
	}
	for _, want := range []string{"gained 1 operation(s): GenerateProbeGet", "lost 1 operation(s): OrganizationRoleGet"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("generate's report lacks %q", want)
		}
	}

	client := readFile(t, newClient)
	decoders := readFile(t, filepath.Join(dir, "conformance", "findings", "decoders_gen.go"))
	for _, c := range []struct {
		file, text string
		want       bool
	}{
		{clientFile, "func ParseGenerateProbeGetResponse(rsp *http.Response)", true},
		{clientFile, "func ParseOrganizationRoleGetResponse(rsp *http.Response)", false},
		{"decoders_gen.go", `"generateProbeGet":`, true},
		{"decoders_gen.go", `"organizationRoleGet":`, false},
	} {
		src := client
		if c.file == "decoders_gen.go" {
			src = decoders
		}
		if strings.Contains(src, c.text) != c.want {
			t.Errorf("%s contains %q: %v, want %v", c.file, c.text, !c.want, c.want)
		}
	}

	// Which hand-written files use a name the regenerated client no longer declares.
	removed := removedNames(t, oldClient, newClient)
	if !slices.Contains(removed, "OrganizationRoleGetWithResponse") {
		t.Fatalf("names gone from the client = %v, want OrganizationRoleGetWithResponse among them", removed)
	}
	users := handWrittenUsers(t, dir, removed)
	t.Logf("hand-written files that use a removed name: %v", users)

	// Without optimization for the module's own packages (rebuilt in the copy anyway): the same
	// errors, a third less time; dependencies keep their flags, so they come from the cache.
	start = time.Now()
	build := exec.Command(goCmd, "build", "-gcflags="+modulePath+"/...=-N -l", "./...")
	build.Dir, build.Env = dir, env
	out, err = build.CombinedOutput()
	t.Logf("%s (%s):\n%s", strings.Join(build.Args[1:], " "), time.Since(start).Round(time.Millisecond), out)
	if len(users) == 0 {
		if err != nil {
			t.Fatalf("no hand-written code uses %s, yet the regenerated module does not build", removedOperation)
		}
		return
	}
	if err == nil {
		t.Fatalf("%v use %s's names, yet the module built", users, removedOperation)
	}
	errorLine := regexp.MustCompile(`^(\S+\.go):(\d+):(\d+): (.*)$`)
	pointsAtRemoved := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "\t") {
			continue
		}
		m := errorLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("build output line is not a compile error at a file and line: %q", line)
			continue
		}
		file := filepath.ToSlash(filepath.Clean(m[1]))
		if filepath.IsAbs(m[1]) {
			if rel, err := filepath.Rel(dir, m[1]); err == nil {
				file = filepath.ToSlash(rel)
			}
		}
		if !slices.Contains(users, file) {
			t.Errorf("compile error outside the hand-written code that used %s: %q", removedOperation, line)
		}
		for _, name := range removed {
			if strings.Contains(m[4], name+" undefined") || strings.Contains(m[4], "undefined: cloudapi."+name) {
				pointsAtRemoved = true
			}
		}
	}
	if !pointsAtRemoved {
		t.Errorf("no compile error names a removed name as undefined at its file and line")
	}
}

// copyModule copies what the go command reads from the module at src to dst: everything except
// directories it ignores (testdata, .*, _*), the ignored build outputs and the git metadata.
func copyModule(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if rel != "." && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				rel == "bin" || rel == filepath.Join("conformance", "report")) {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() || strings.HasSuffix(name, ".test") || strings.HasSuffix(name, ".out") || strings.HasSuffix(name, ".prof") {
			return nil
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(filepath.Join(dst, rel))
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// editDocument removes removedOperation from the document and adds addedOperation, a GET with a
// path parameter and a 200 JSON answer.
func editDocument(t *testing.T, path string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(readFile(t, path))))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	paths := doc["paths"].(map[string]any)
	found := false
	for p, item := range paths {
		item := item.(map[string]any)
		removedHere := false
		for method, op := range item {
			if op, ok := op.(map[string]any); ok && op["operationId"] == removedOperation {
				delete(item, method)
				found, removedHere = true, true
			}
		}
		if removedHere && !slices.ContainsFunc([]string{"get", "put", "post", "delete", "patch", "head", "options"},
			func(m string) bool { return item[m] != nil }) {
			delete(paths, p)
		}
	}
	if !found {
		t.Fatalf("the document has no operation %s: choose another that hand-written code calls", removedOperation)
	}
	if paths[addedPath] != nil {
		t.Fatalf("the document already has %s", addedPath)
	}
	pathParam := func(name, format string) map[string]any {
		schema := map[string]any{"type": "string"}
		if format != "" {
			schema["format"] = format
		}
		return map[string]any{"name": name, "in": "path", "required": true, "schema": schema}
	}
	paths[addedPath] = map[string]any{"get": map[string]any{
		"operationId": addedOperation,
		"summary":     "Get a probe (added by the update-path test)",
		"tags":        []any{"Organization"},
		"parameters":  []any{pathParam("organizationId", "uuid"), pathParam("probeId", "")},
		"responses": map[string]any{"200": map[string]any{
			"description": "Successful response",
			"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
				"type": "object",
				"properties": map[string]any{
					"status":    map[string]any{"type": "number"},
					"requestId": map[string]any{"type": "string", "format": "uuid"},
					"result": map[string]any{"type": "object", "properties": map[string]any{
						"id": map[string]any{"type": "string"}}},
				},
			}}},
		}},
	}}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// removedNames lists the top-level names and method names declared in the old generated client
// but not in the new one.
func removedNames(t *testing.T, oldFile, newFile string) []string {
	t.Helper()
	before, after := declaredNames(t, oldFile), declaredNames(t, newFile)
	var removed []string
	for name := range before {
		if !after[name] {
			removed = append(removed, name)
		}
	}
	slices.Sort(removed)
	return removed
}

func declaredNames(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			names[d.Name.Name] = true
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					names[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names[n.Name] = true
					}
				}
			}
		}
	}
	return names
}

// handWrittenUsers lists (slash-separated, relative to root) the non-test, non-generated Go files
// of the module that mention any of names: the files `go build ./...` may rightly refuse.
func handWrittenUsers(t *testing.T, root string, names []string) []string {
	t.Helper()
	generated := regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)
	var users []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if generated.Match(src) {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		uses := false
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && slices.Contains(names, id.Name) {
				uses = true
			}
			return !uses
		})
		if uses {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			users = append(users, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return users
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
