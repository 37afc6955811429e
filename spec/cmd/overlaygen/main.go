// Command overlaygen validates the vendored OpenAPI document and rewrites the derived section of
// spec/overlay.yaml: the overlay actions that follow mechanically from the document, so that a new
// spec version needs no hand work before the client can be generated.
//
// Hand-written actions live above the "BEGIN DERIVED" marker of the overlay and are kept as they
// are; everything between the markers is replaced on every run. The overlay is written atomically,
// and nothing is written when the document does not parse or fails OpenAPI validation.
//
// It is the first step of gen/cmd/generate (`make generate`), which runs it from the module root:
//
//	go run ./spec/cmd/overlaygen -spec spec/openapi.json -overlay spec/overlay.yaml -config gen/cloudapi/config.yaml
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/chcloud-dev/chcloud/internal/atomicfile"
)

func main() {
	specPath := flag.String("spec", "spec/openapi.json", "the published OpenAPI document")
	overlayPath := flag.String("overlay", "spec/overlay.yaml", "the overlay whose derived section is rewritten")
	configPath := flag.String("config", "gen/cloudapi/config.yaml", "the oapi-codegen config (for its initialisms)")
	flag.Parse()
	if err := run(context.Background(), *specPath, *overlayPath, *configPath); err != nil {
		fmt.Fprintln(os.Stderr, "overlaygen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, specPath, overlayPath, configPath string) error {
	goName, err := goNamer(configPath)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	doc, err := loadDocument(ctx, specPath, raw)
	if err != nil {
		return err
	}
	actions, err := deriveActions(doc, goName)
	if err != nil {
		return fmt.Errorf("%s: %w", specPath, err)
	}
	current, err := os.ReadFile(overlayPath)
	if err != nil {
		return err
	}
	updated, err := replaceDerived(string(current), renderActions(actions))
	if err != nil {
		return fmt.Errorf("%s: %w", overlayPath, err)
	}
	if updated == string(current) {
		return nil
	}
	return atomicfile.WriteFile(overlayPath, []byte(updated), fileMode(overlayPath))
}

// fileMode keeps the overlay's mode when it is rewritten.
func fileMode(path string) os.FileMode {
	if info, err := os.Stat(path); err == nil {
		return info.Mode().Perm()
	}
	return 0o644
}
