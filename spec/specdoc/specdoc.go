// Package specdoc loads the embedded published document (package spec) with kin-openapi, for
// the code that validates requests and responses against it: the fake server, the conformance
// suite and the CLI's `api` command.
//
// It is a package of its own because kin-openapi is large and its JSON Schema dependency does
// real work at program start (about 10 ms on a 2-core machine): the SDK only needs the raw
// document and the inventory, so it imports spec and never pays for this one.
package specdoc

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chcloud-dev/chcloud/spec"
)

var loaded = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(bytes.Clone(spec.Document()))
	if err != nil {
		return nil, fmt.Errorf("specdoc: loading the embedded document: %w", err)
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("specdoc: the embedded document is not valid OpenAPI: %w", err)
	}
	relaxed = relaxOverlappingOneOf(doc)
	return doc, nil
})

// relaxed is where OpenAPI reads an unsatisfiable oneOf as anyOf (see relaxOverlappingOneOf).
var relaxed []string

// OpenAPI returns the embedded document loaded with kin-openapi, for validating requests and
// answers. It is loaded and validated once, on first use. One reading differs from the letter of
// the document: a oneOf whose alternatives are open objects that require nothing, which no value
// can satisfy, is read as anyOf (RelaxedOneOfs lists them). Callers must not modify it.
func OpenAPI() (*openapi3.T, error) { return loaded() }

// RelaxedOneOfs returns the schema locations that OpenAPI reads as anyOf instead of oneOf.
func RelaxedOneOfs() ([]string, error) {
	if _, err := loaded(); err != nil {
		return nil, err
	}
	return slices.Clone(relaxed), nil
}

// ConciseReason reduces a kin-openapi validation reason to one line. For OpenAPI 3.1 documents
// kin-openapi may report through its JSON Schema validator, whose reason is a multi-line report
// (a "jsonschema validation failed" line, then "- at" lines naming each location); the last
// line, without its location prefix, is the part that says what is wrong.
func ConciseReason(reason string) string {
	lines := strings.Split(strings.TrimSpace(reason), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if _, after, ok := strings.Cut(last, "- at '"); ok {
		if _, msg, ok := strings.Cut(after, "': "); ok {
			last = msg
		}
	}
	if a, b, ok := strings.Cut(last, ": "); ok && a == b {
		last = a
	}
	return last
}
