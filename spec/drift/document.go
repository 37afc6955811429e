package drift

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chcloud-dev/chcloud/spec"
)

// PublishedURL is where ClickHouse publishes the OpenAPI document (GET, JSON, no authentication).
const PublishedURL = "https://api.clickhouse.cloud/v1"

// DefaultTimeout bounds one download of the document.
const DefaultTimeout = 60 * time.Second

// maxDocumentBytes caps a download: today's document is about 1.2 MB.
const maxDocumentBytes = 64 << 20

// Document is one version of the OpenAPI document, parsed and checked.
type Document struct {
	Source string // the file path or URL it was read from
	Raw    []byte // exactly as read
	SHA256 string // hex sha256 of Raw

	// Version is the document's `openapi` field as published, e.g. "3.0.1" or "3.1.2".
	Version string

	// OpenAPI is the kin-openapi model, normalised for comparison: every schema is written in one
	// notation whatever the OpenAPI version (see normalizeNotation: 3.0's `nullable: true` and
	// 3.1's `type: [T, "null"]` load the same), the referrer token is gone from
	// info.contact.url, and `/:param` path segments are written `/{param}`. It is not the
	// document as published: Validate loads Raw again.
	OpenAPI *openapi3.T
	// Operations is the operation inventory, with paths normalised like OpenAPI's.
	Operations []spec.Operation
	// ColonPaths lists the paths as published with `/:param` segments, which the code generator
	// cannot use (ClickHouse published such a document in 2023). Empty for a usable document.
	ColonPaths []string
}

// IsURL reports whether a source names an http or https URL rather than a file.
func IsURL(source string) bool {
	return strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://")
}

// Read returns the bytes of a file or of an http(s) URL. A URL is fetched with GET and must
// answer 2xx within the client's timeout (DefaultTimeout when client is nil). Every failure is an
// *InputError naming the source.
func Read(ctx context.Context, source string, client *http.Client) ([]byte, error) {
	if !IsURL(source) {
		raw, err := os.ReadFile(source)
		if err != nil {
			return nil, inputErrorf(source, err, "cannot read the file: %v", unwrapPathError(err))
		}
		return raw, nil
	}
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, source, nil)
	if err != nil {
		return nil, inputErrorf(source, err, "not a valid URL: %v", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, inputErrorf(source, err, "cannot download the document: %v", describeTransportError(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return nil, inputErrorf(source, err, "download interrupted after %d bytes: %v", len(raw), err)
	}
	if len(raw) > maxDocumentBytes {
		return nil, inputErrorf(source, nil, "document larger than %d MB", maxDocumentBytes>>20)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, inputErrorf(source, nil, "the server answered %s (%s), not the OpenAPI document", resp.Status, describeBody(raw))
	}
	return raw, nil
}

// Load reads a source (file or URL) and parses it with Parse.
func Load(ctx context.Context, source string, client *http.Client) (*Document, error) {
	raw, err := Read(ctx, source, client)
	if err != nil {
		return nil, err
	}
	return Parse(raw, source)
}

// Parse checks that raw is a JSON OpenAPI 3 document with paths and that every response is keyed
// by a status code, loads it with kin-openapi and normalises it for comparison (see Document).
// A document with `/:param` paths is accepted; its ColonPaths say which. Every failure is an
// *InputError naming source and the problem.
func Parse(raw []byte, source string) (*Document, error) {
	version, err := checkShape(raw, source)
	if err != nil {
		return nil, err
	}
	normalized, err := normalizeNotation(raw)
	if err != nil {
		return nil, inputErrorf(source, err, "invalid OpenAPI document: %v", err)
	}
	model, err := loadModel(normalized, source)
	if err != nil {
		return nil, err
	}
	ops, err := spec.ParseInventory(raw)
	if err != nil {
		return nil, inputErrorf(source, err, "invalid OpenAPI document: %v", err)
	}
	doc := &Document{Source: source, Raw: raw, SHA256: sha256Hex(raw), Version: version, OpenAPI: model, Operations: ops}
	stripReferrer(model)
	doc.ColonPaths = bracePaths(model)
	for i := range doc.Operations {
		doc.Operations[i].Path = braceTemplate(doc.Operations[i].Path)
	}
	return doc, nil
}

// Validate runs kin-openapi's full validation (examples excepted, as specdoc.OpenAPI does) on the
// document as published, which is what the code generator relies on. Parse does not, so that diff
// can compare older documents.
func (d *Document) Validate(ctx context.Context) error {
	if len(d.ColonPaths) > 0 {
		return unusableColonPaths(d.Source, d.ColonPaths)
	}
	// The document as published, not the normalised model: the generator reads the former.
	model, err := loadModel(d.Raw, d.Source)
	if err != nil {
		return err
	}
	if err := model.Validate(ctx, openapi3.DisableExamplesValidation()); err != nil {
		return inputErrorf(d.Source, err, "invalid OpenAPI document: %v", err)
	}
	return nil
}

func loadModel(raw []byte, source string) (*openapi3.T, error) {
	model, err := openapi3.NewLoader().LoadFromDataWithPath(raw, &url.URL{Path: source})
	if err != nil {
		return nil, inputErrorf(source, err, "invalid OpenAPI document: %v", err)
	}
	return model, nil
}

func unusableColonPaths(source string, paths []string) *InputError {
	shown := paths
	if len(shown) > 3 {
		shown = shown[:3]
	}
	more := ""
	if len(paths) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(paths)-len(shown))
	}
	return inputErrorf(source, nil,
		"the code generator cannot use this document: %s written with /:name parameters instead of /{name} (%s%s)",
		plural(len(paths), "path"), strings.Join(shown, ", "), more)
}

// checkShape tells apart the ways a download goes wrong before kin-openapi sees the bytes, so the
// error says "an HTML page" rather than "invalid character '<'". It returns the `openapi` version.
func checkShape(raw []byte, source string) (string, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")))
	if len(trimmed) == 0 {
		return "", inputErrorf(source, nil, "empty document")
	}
	if trimmed[0] == '<' {
		return "", inputErrorf(source, nil, "an HTML or XML page, not an OpenAPI JSON document (%s)", describeBody(trimmed))
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			line, col := lineColumn(trimmed, syntax.Offset)
			return "", inputErrorf(source, err, "not JSON: %v at line %d, column %d", syntax, line, col)
		}
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return "", inputErrorf(source, err, "JSON %s, not an OpenAPI document (which is a JSON object)", typ.Value)
		}
		return "", inputErrorf(source, err, "not JSON: %v", err)
	}
	var version string
	if _, ok := top["swagger"]; ok {
		return "", inputErrorf(source, nil, "a Swagger 2.0 document; only OpenAPI 3 is supported")
	}
	if err := json.Unmarshal(top["openapi"], &version); err != nil || !strings.HasPrefix(version, "3.") {
		return "", inputErrorf(source, nil, "JSON, but not an OpenAPI 3 document: no \"openapi\": \"3.x\" field")
	}
	var paths map[string]map[string]json.RawMessage
	if err := json.Unmarshal(top["paths"], &paths); err != nil || len(paths) == 0 {
		return "", inputErrorf(source, nil, "OpenAPI document without paths")
	}
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		for _, method := range []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"} {
			body, ok := paths[path][method]
			if !ok {
				continue
			}
			var op struct {
				Responses map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(body, &op); err != nil {
				return "", inputErrorf(source, err, "invalid OpenAPI document: %s %s: %v", strings.ToUpper(method), path, err)
			}
			for _, key := range slices.Sorted(maps.Keys(op.Responses)) {
				if !isResponseKey(key) {
					return "", inputErrorf(source, nil,
						"invalid OpenAPI document: %s %s: response key %q is not an HTTP status code, a range like 4XX, or \"default\"",
						strings.ToUpper(method), path, key)
				}
			}
		}
	}
	return version, nil
}

func isResponseKey(key string) bool {
	if key == "default" {
		return true
	}
	if len(key) != 3 || key[0] < '1' || key[0] > '5' {
		return false
	}
	if strings.EqualFold(key[1:], "XX") {
		return true
	}
	n, err := strconv.Atoi(key)
	return err == nil && n >= 100 && n <= 599
}

// referrer matches the referrer token ClickHouse adds to info.contact.url on every fetch.
var referrer = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`referrer=[^&#]*&?`) })

// stripReferrer removes the `referrer=` query parameter from info.contact.url: it changes on every
// fetch and means nothing.
func stripReferrer(model *openapi3.T) {
	if model.Info == nil || model.Info.Contact == nil {
		return
	}
	u := referrer().ReplaceAllString(model.Info.Contact.URL, "")
	u = strings.TrimSuffix(strings.TrimSuffix(u, "&"), "?")
	model.Info.Contact.URL = strings.Replace(u, "?#", "#", 1)
}

var colonSegment = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`/:([A-Za-z_][A-Za-z0-9_.-]*)`) })

// braceTemplate rewrites `/:name` segments as `/{name}`.
func braceTemplate(path string) string { return colonSegment().ReplaceAllString(path, "/{$1}") }

// bracePaths rewrites the model's `/:name` paths as `/{name}` so that they compare with the
// templated paths of other versions, and returns the original paths it rewrote, sorted.
func bracePaths(model *openapi3.T) []string {
	if model.Paths == nil {
		return nil
	}
	var colon []string
	for _, path := range model.Paths.Keys() {
		if templated := braceTemplate(path); templated != path {
			colon = append(colon, path)
			model.Paths.Set(templated, model.Paths.Value(path))
			model.Paths.Delete(path)
		}
	}
	slices.Sort(colon)
	return colon
}

// lineColumn converts a byte offset into a 1-based line and column.
func lineColumn(raw []byte, offset int64) (line, col int) {
	if offset > int64(len(raw)) {
		offset = int64(len(raw))
	}
	before := raw[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

var htmlTitle = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?is)<title>\s*(.*?)\s*</title>`) })

// describeBody names what a body looks like, for errors: the <title> of an HTML page or the
// start of the text, never more than a short line.
func describeBody(raw []byte) string {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return "empty body"
	}
	if trimmed[0] == '<' {
		if m := htmlTitle().FindSubmatch(trimmed); m != nil {
			return fmt.Sprintf("HTML page titled %q", truncate(string(m[1]), 80))
		}
		return fmt.Sprintf("markup starting %q", truncate(string(trimmed), 60))
	}
	return fmt.Sprintf("body starting %q", truncate(string(trimmed), 60))
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func unwrapPathError(err error) error {
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

// describeTransportError keeps the part of a transport error that says what went wrong
// (connection refused, timeout, unknown host) without repeating the URL.
func describeTransportError(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if urlErr.Timeout() {
			return "timed out"
		}
		return urlErr.Err.Error()
	}
	return err.Error()
}

func sha256Hex(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}
