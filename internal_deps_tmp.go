//go:build tools

package tools

// TEMPORARY: pins library dependencies while packages that import them are written in parallel.
// Removed once they are imported by real code.
import (
	_ "github.com/itchyny/gojq"
	_ "github.com/oasdiff/oasdiff/diff"
	_ "github.com/onsi/ginkgo/v2"
	_ "github.com/onsi/gomega"
	_ "github.com/pb33f/libopenapi-validator"
	_ "github.com/spf13/cobra"
	_ "go.uber.org/goleak"
	_ "golang.org/x/exp/apidiff"
	_ "golang.org/x/term"
	_ "golang.org/x/time/rate"
	_ "gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"
	_ "github.com/google/uuid"
	_ "github.com/oapi-codegen/nullable"
)
