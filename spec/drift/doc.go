// Package drift measures how the published ClickHouse Cloud OpenAPI document drifts from the
// vendored copy (spec/openapi.json), and what a new version means for Go users of gen/cloudapi.
//
// It does three things:
//
//   - [Fetch] downloads the published document, refuses one the code generator cannot use, and
//     writes it and spec/SOURCE atomically;
//   - [Compare] diffs two documents with oasdiff (every check down to INFO) and condenses the
//     changelog into a [Summary] people read first; [Render] writes it as text, markdown, JSON
//     or JUnit;
//   - [CompareGoAPI] compares the exported API of two versions of a Go package (gen/cloudapi
//     before and after regeneration) with golang.org/x/exp/apidiff, which says what the next
//     release's version number must be.
//
// Documents are compared as models, not as bytes, so key order and whitespace never count as a
// change; the `?referrer=` token ClickHouse puts in info.contact.url on every fetch is removed
// before comparing.
package drift
