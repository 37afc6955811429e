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
	return doc, nil
})

// OpenAPI returns the embedded document loaded with kin-openapi. It is loaded and validated
// once, on first use. Callers must not modify it.
func OpenAPI() (*openapi3.T, error) { return loaded() }
