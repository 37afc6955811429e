package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const miniDoc = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/v1/udfs": {"get": {"operationId": "udfList", "responses": {"200": {"description": "ok",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UdfListResponse"}}}}}}}
  },
  "components": {"schemas": {
    "UdfListResponse": {"type": "object"},
    "pgConfig": {"type": "object", "properties": {
      "work_mem": {"type": ["string", "integer"]},
      "scale": {"type": ["number", "string", "null"]},
      "plain": {"type": ["string", "null"]}
    }}
  }}
}`

const emptyOverlay = `overlay: 1.0.0
actions:
  - target: $.info
    description: hand-written, kept
    update: {x-keep: true}
` + beginMarker + "\n  - target: stale\n" + endMarker + "\n"

func TestDeriveActions(t *testing.T) {
	doc, err := loadDocument(context.Background(), "mini.json", []byte(miniDoc))
	if err != nil {
		t.Fatal(err)
	}
	actions, err := deriveActions(doc, newNamer([]string{"UDF"}))
	if err != nil {
		t.Fatal(err)
	}
	got := renderActions(actions)
	for _, want := range []string{
		`target: "$['components']['schemas']['pgConfig']['properties']['scale']"`,
		`target: "$['components']['schemas']['pgConfig']['properties']['work_mem']"`,
		`x-go-type: "StringOrNumber"`,
		`target: "$['components']['schemas']['UdfListResponse']"`,
		`x-go-name: "UDFListResult"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("derived actions lack %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "'plain'") {
		t.Errorf("a [string, null] type needs no action:\n%s", got)
	}
	if n := strings.Count(got, "- target:"); n != 3 {
		t.Errorf("%d actions, want 3:\n%s", n, got)
	}
}

func TestUnknownUnionIsAnError(t *testing.T) {
	doc := map[string]any{"components": map[string]any{"schemas": map[string]any{
		"x": map[string]any{"type": []any{"object", "array"}},
	}}}
	_, err := multiTypeUnions(doc)
	if err == nil || !strings.Contains(err.Error(), "$['components']['schemas']['x']") {
		t.Fatalf("err = %v, want one naming the schema", err)
	}
}

func TestReplaceDerivedKeepsHandWrittenActions(t *testing.T) {
	out, err := replaceDerived(emptyOverlay, "  - target: new\n")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "hand-written, kept") || strings.Contains(out, "stale") || !strings.Contains(out, "target: new") {
		t.Errorf("replaceDerived = \n%s", out)
	}
	if _, err := replaceDerived("overlay: 1.0.0\nactions: []\n", ""); err == nil {
		t.Error("an overlay without markers was accepted")
	}
}

func TestBadDocumentWritesNothing(t *testing.T) {
	cases := map[string]struct{ doc, want string }{
		"not json":      {`{"openapi": "3.1.0",`, "bad.json: not JSON"},
		"html":          {"<html>404</html>", "bad.json: an HTML or XML page"},
		"not openapi":   {`{"swagger": "2.0"}`, "only OpenAPI 3 is supported"},
		"invalid 3.1":   {`{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/x":{"get":{"responses":{"ok":{"description":"d"}}}}}}`, "bad.json"},
		"no paths":      {`{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{}}`, "without paths"},
		"unknown union": {`{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/x":{"get":{"responses":{"200":{"description":"d"}}}}},"components":{"schemas":{"x":{"type":["object","array"]}}}}`, "multi-type unions with no mapping"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			specPath := filepath.Join(dir, "bad.json")
			overlayPath := filepath.Join(dir, "overlay.yaml")
			configPath := filepath.Join(dir, "config.yaml")
			must(t, os.WriteFile(specPath, []byte(c.doc), 0o644))
			must(t, os.WriteFile(overlayPath, []byte(emptyOverlay), 0o644))
			must(t, os.WriteFile(configPath, []byte("output-options: {}\n"), 0o644))
			err := run(context.Background(), specPath, overlayPath, configPath)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
			after, _ := os.ReadFile(overlayPath)
			if string(after) != emptyOverlay {
				t.Error("the overlay was changed although the document was refused")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 3 {
				t.Errorf("files left behind: %v", entries)
			}
		})
	}
}

// TestCommittedOverlayIsCurrent runs the generator's first step on the vendored document and checks
// that spec/overlay.yaml already holds its output.
func TestCommittedOverlayIsCurrent(t *testing.T) {
	dir := t.TempDir()
	overlay, err := os.ReadFile("../../overlay.yaml")
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(dir, "overlay.yaml")
	must(t, os.WriteFile(copyPath, overlay, 0o644))
	if err := run(context.Background(), "../../openapi.json", copyPath, "../../../gen/cloudapi/config.yaml"); err != nil {
		t.Fatal(err)
	}
	regenerated, _ := os.ReadFile(copyPath)
	if string(regenerated) != string(overlay) {
		t.Error("spec/overlay.yaml is stale: run make generate")
	}
	if n := strings.Count(string(overlay), "x-go-type: \"StringOrNumber\""); n != 28 {
		t.Errorf("%d StringOrNumber actions, want the 28 pgConfig unions", n)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
