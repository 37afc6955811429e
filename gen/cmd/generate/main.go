// Command generate is the one entry point that writes every generated file of the module from
// spec/openapi.json, in dependency order, each step reading what the one before wrote:
//
//  1. spec/cmd/overlaygen validates the document and rewrites the derived part of spec/overlay.yaml;
//  2. oapi-codegen (the version pinned in go.mod) writes gen/cloudapi/cloudapi.gen.go from the
//     document and the overlay;
//  3. cloud/internal/resultgen writes gen/cloudapi/results.gen.go, a Result method on each
//     generated <Op>Response whose success answers carry a result, which package cloud's Result
//     is generic over (so the compiler checks the result type);
//  4. cloud/internal/schemagen writes cloud/schema.gen.go, what the SDK's tolerant decoding needs
//     to know about the document (operations, and the kinds of values in each declared JSON
//     answer) as Go data, so that the SDK neither embeds nor parses the document;
//  5. conformance/internal/decodergen writes conformance/findings/decoders_gen.go, one entry per
//     operation of the document, each naming the generated client's Parse<Op>Response;
//  6. spec/drift/internal/messagegen writes spec/drift/messages.gen.go, oasdiff's English change
//     messages as static data (it reads the oasdiff module go.mod requires, not the document), so
//     that chcloud does not link oasdiff's map of every language, built at start-up.
//
// Run it from anywhere in the module as `go run ./gen/cmd/generate` (what `make generate` does);
// `go generate ./...` runs it too, through the only go:generate line of the module
// (gen/cloudapi/generate.go). The first step that fails stops the run, and is named.
//
// Generation reads only the document, the overlay, the generator settings and (step 6) a
// dependency, never hand-written code, so it completes whatever the document adds or removes.
// When an operation is removed, the run says so: hand-written code that called it then fails to
// compile, and `go build ./...` names each file and line.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// modulePath is the module whose root the command looks for.
const modulePath = "github.com/chcloud-dev/chcloud"

// step is one generator, run with `go run` in a directory of the module.
type step struct {
	name string   // what the step writes, for messages
	dir  string   // relative to the module root, slash-separated
	args []string // after `go run`
}

// steps are in dependency order: overlay.yaml feeds oapi-codegen, whose output feeds resultgen
// and decodergen.
// schemagen reads only the document; it comes after oapi-codegen because it records the kinds
// of the types oapi-codegen generates.
var steps = []step{
	{
		name: "spec/overlay.yaml (spec/cmd/overlaygen)",
		dir:  ".",
		args: []string{"./spec/cmd/overlaygen", "-spec", "spec/openapi.json", "-overlay", "spec/overlay.yaml", "-config", "gen/cloudapi/config.yaml"},
	},
	{
		name: "gen/cloudapi/cloudapi.gen.go (oapi-codegen)",
		dir:  "gen/cloudapi",
		args: []string{"github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen", "-config", "config.yaml", "../../spec/openapi.json"},
	},
	{
		name: "gen/cloudapi/results.gen.go (cloud/internal/resultgen)",
		dir:  ".",
		args: []string{"./cloud/internal/resultgen", "-gen", "gen/cloudapi/cloudapi.gen.go", "-o", "gen/cloudapi/results.gen.go"},
	},
	{
		name: "cloud/schema.gen.go (cloud/internal/schemagen)",
		dir:  ".",
		args: []string{"./cloud/internal/schemagen", "-spec", "spec/openapi.json", "-o", "cloud/schema.gen.go"},
	},
	{
		name: "conformance/findings/decoders_gen.go (conformance/internal/decodergen)",
		dir:  "conformance/findings",
		args: []string{"../internal/decodergen", "-gen", "../../gen/cloudapi/cloudapi.gen.go", "-o", "decoders_gen.go"},
	},
	{
		name: "spec/drift/messages.gen.go (spec/drift/internal/messagegen)",
		dir:  ".",
		args: []string{"./spec/drift/internal/messagegen", "-o", "spec/drift/messages.gen.go"},
	},
}

// clientFile is the generated client, whose operations are reported before and after.
const clientFile = "gen/cloudapi/cloudapi.gen.go"

func main() {
	root := flag.String("root", "", "the module root (default: the directory of the go.mod above the working directory)")
	goCmd := flag.String("go", "go", "the go command")
	verbose := flag.Bool("v", false, "print each command before running it")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./gen/cmd/generate [-root DIR] [-go CMD] [-v]")
		os.Exit(2)
	}
	if err := run(*root, *goCmd, *verbose, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func run(root, goCmd string, verbose bool, stdout, stderr io.Writer) error {
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		if root, err = findModuleRoot(wd); err != nil {
			return err
		}
	}
	before, err := clientOperations(filepath.Join(root, filepath.FromSlash(clientFile)))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for i, s := range steps {
		cmd := exec.Command(goCmd, append([]string{"run"}, s.args...)...)
		cmd.Dir = filepath.Join(root, filepath.FromSlash(s.dir))
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if verbose {
			fmt.Fprintf(stderr, "generate: (cd %s && %s)\n", s.dir, strings.Join(cmd.Args, " "))
		}
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("step %d of %d, %s: %w (nothing after it was regenerated)", i+1, len(steps), s.name, err)
		}
	}
	after, err := clientOperations(filepath.Join(root, filepath.FromSlash(clientFile)))
	if err != nil {
		return err
	}
	if before != nil {
		reportChanges(stdout, before, after)
	}
	return nil
}

// findModuleRoot returns the first directory from dir upwards whose go.mod declares modulePath.
func findModuleRoot(dir string) (string, error) {
	for d := dir; ; {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			if bytes.Contains(data, []byte("module "+modulePath+"\n")) {
				return d, nil
			}
			return "", fmt.Errorf("%s is not module %s: pass -root", filepath.Join(d, "go.mod"), modulePath)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod above %s: run in the module or pass -root", dir)
		}
		d = parent
	}
}

// parserFunc matches the response parser oapi-codegen writes for each operation.
var parserFunc = regexp.MustCompile(`(?m)^func Parse(\w+)Response\(rsp \*http\.Response\)`)

// clientOperations lists the operations of the generated client (their Go names), sorted.
func clientOperations(path string) ([]string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ops []string
	for _, m := range parserFunc.FindAllSubmatch(src, -1) {
		ops = append(ops, string(m[1]))
	}
	slices.Sort(ops)
	return ops, nil
}

// reportChanges says which operations the client gained and lost, and what a loss means.
func reportChanges(w io.Writer, before, after []string) {
	var added, removed []string
	for _, op := range after {
		if _, found := slices.BinarySearch(before, op); !found {
			added = append(added, op)
		}
	}
	for _, op := range before {
		if _, found := slices.BinarySearch(after, op); !found {
			removed = append(removed, op)
		}
	}
	if len(added) > 0 {
		fmt.Fprintf(w, "generate: %s gained %d operation(s): %s\n", clientFile, len(added), strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		fmt.Fprintf(w, "generate: %s lost %d operation(s): %s\n", clientFile, len(removed), strings.Join(removed, ", "))
		fmt.Fprintln(w, "generate: hand-written code that calls them (<Op>, <Op>WithResponse, Parse<Op>Response, <Op>...Body types) no longer compiles; `go build ./...` names each file and line")
	}
}
