//go:build tools

// Package tools pins the command-line tools this repository runs with `go run`, so that their
// versions come from go.mod like any other dependency.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "github.com/onsi/ginkgo/v2/ginkgo"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
