// Package api is the "before" side of the Go API comparison test.
package api

import "github.com/oapi-codegen/nullable"

// Removed disappears in the new version.
func Removed() {}

// Service keeps its name; one field changes type.
type Service struct {
	ID       string
	Replicas int
	Note     nullable.Nullable[string]
}
