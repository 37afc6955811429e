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
// [Parse] and [Document.Validate] are the module's one validator of a whole document: `chcloud
// spec fetch` refuses with them what the code generator cannot use, and spec/cmd/overlaygen
// checks the vendored document with them before deriving the overlay.
//
// Documents are compared as models, not as bytes, so key order and whitespace never count as a
// change; the `?referrer=` token ClickHouse puts in info.contact.url on every fetch is removed
// before comparing. Notation is not change either: both documents are read into one notation
// whatever their OpenAPI version (3.0's `nullable: true` and 3.1's `type: [T, "null"]` or
// `oneOf: [{$ref}, {type: "null"}]`, `const` and a one-value `enum`, `examples` and `example`,
// numeric and boolean exclusive bounds), so the April 2026 switch from 3.0.1 to 3.1 compares as
// unchanged while a field that really becomes nullable, or stops being, is still reported.
// An operation whose path changed under the same method and operationId is reported once as
// moved and compared at its new path. Text and markdown reports fold the same enum change in
// many operations into one line with the number of operations; JSON keeps every entry.
//
// Changes are worded as oasdiff's default (English) localizer words them, from a table of its
// messages that go generate writes (messages.gen.go, spec/drift/internal/messagegen): linking the
// localizer itself would build oasdiff's map of every language at the start of every chcloud
// command. TestLocalizeIsOasdiffs holds the table to the linked oasdiff, message by message.
package drift
