package drift

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chcloud-dev/chcloud/internal/atomicfile"
)

// FetchOptions say where to fetch the document from and where to write it.
type FetchOptions struct {
	URL    string       // default PublishedURL
	Out    string       // the document to write, e.g. "spec/openapi.json"; required
	Source string       // the SOURCE file to update; default SOURCE next to Out
	Client *http.Client // default: a client with DefaultTimeout
	Now    func() time.Time
}

// FetchResult says what Fetch did.
type FetchResult struct {
	Document *Document
	Previous string // sha256 of the document Out held before, "" when there was none
	Changed  bool   // false when the published document is byte for byte the one already there
}

// Fetch downloads the document, checks that it is a valid OpenAPI document with paths that the
// code generator can use (no `/:param` paths), and writes it to Out and the SOURCE file. Both
// are written atomically (temporary file, then rename) and only after every check passed: a
// refused document leaves both files as they were. When the document is unchanged nothing is
// written.
func Fetch(ctx context.Context, opts FetchOptions) (*FetchResult, error) {
	if opts.Out == "" {
		return nil, errors.New("drift: fetch: no output file")
	}
	if opts.URL == "" {
		opts.URL = PublishedURL
	}
	if opts.Source == "" {
		opts.Source = filepath.Join(filepath.Dir(opts.Out), "SOURCE")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	doc, err := Load(ctx, opts.URL, opts.Client)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, err
	}
	result := &FetchResult{Document: doc}
	if old, err := os.ReadFile(opts.Out); err == nil {
		result.Previous = sha256Hex(old)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("drift: fetch: reading the current document: %w", err)
	}
	if result.Previous == doc.SHA256 {
		return result, nil
	}
	result.Changed = true

	sourceText, sourceMode, err := readSource(opts.Source)
	if err != nil {
		return nil, err
	}
	now := opts.Now().UTC()
	updated := updateSource(sourceText, []sourceField{
		{"url", opts.URL},
		{"published", now.Format(time.DateOnly)},
		{"fetched-from", fmt.Sprintf("%s by `chcloud spec fetch` at %s", opts.URL, now.Format(time.RFC3339))},
		{"sha256", doc.SHA256},
		{"bytes", strconv.Itoa(len(doc.Raw))},
	})
	docMode := fileMode(opts.Out, 0o644)
	stagedDoc, err := atomicfile.Stage(opts.Out, doc.Raw, docMode)
	if err != nil {
		return nil, fmt.Errorf("drift: fetch: %w", err)
	}
	stagedSource, err := atomicfile.Stage(opts.Source, []byte(updated), sourceMode)
	if err != nil {
		stagedDoc.Abort()
		return nil, fmt.Errorf("drift: fetch: %w", err)
	}
	if err := stagedDoc.Commit(); err != nil {
		stagedSource.Abort()
		return nil, fmt.Errorf("drift: fetch: %w", err)
	}
	if err := stagedSource.Commit(); err != nil {
		return nil, fmt.Errorf("%w (the document was written; SOURCE is stale)", err)
	}
	return result, nil
}

func fileMode(path string, fallback fs.FileMode) fs.FileMode {
	if info, err := os.Stat(path); err == nil {
		return info.Mode().Perm()
	}
	return fallback
}

func readSource(path string) (string, fs.FileMode, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", 0o644, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("drift: fetch: reading %s: %w", path, err)
	}
	return string(raw), fileMode(path, 0o644), nil
}

type sourceField struct{ key, value string }

// updateSource sets fields in a SOURCE file, which is `key: value` lines: a key that is present
// keeps its place, a new one is appended, and every other line is kept as it is.
func updateSource(text string, fields []sourceField) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if text == "" {
		lines = nil
	}
	for _, f := range fields {
		found := false
		for i, line := range lines {
			if key, _, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(key) == f.key {
				lines[i] = f.key + ": " + f.value
				found = true
				break
			}
		}
		if !found {
			lines = append(lines, f.key+": "+f.value)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// ParseSource reads a SOURCE file's `key: value` lines.
func ParseSource(text string) map[string]string {
	fields := map[string]string{}
	for line := range strings.SplitSeq(text, "\n") {
		if key, value, ok := strings.Cut(line, ":"); ok && !strings.Contains(key, " ") {
			fields[strings.TrimSpace(key)] = strings.TrimSpace(value)
		}
	}
	return fields
}
