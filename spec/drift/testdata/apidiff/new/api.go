// Package api is the "after" side of the Go API comparison test.
package api

import "github.com/oapi-codegen/nullable"

// Added is new in this version.
func Added() {}

// Service keeps its name; one field changes type.
type Service struct {
	ID       string
	Replicas float64
	Note     nullable.Nullable[string]
}
