package cmdutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/chcloud-dev/chcloud/cloud/redact"
)

// DryRunClient returns an HTTP client that lets reads through (an organization lookup, a wait's
// first GET) but prints every request that would change something, secrets redacted, and
// sends nothing: the command then ends with exit code 0.
func DryRunClient(next *http.Client, w io.Writer) *http.Client {
	base := next.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c := *next
	c.Transport = &dryRunTransport{next: base, w: w, printed: map[string]bool{}}
	return &c
}

type dryRunTransport struct {
	next    http.RoundTripper
	w       io.Writer
	mu      sync.Mutex
	printed map[string]bool // a retried request is printed once
}

func (t *dryRunTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		return t.next.RoundTrip(req)
	}
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	text := FormatRequest(req.Method, req.URL.String(), req.Header, body)
	t.mu.Lock()
	if !t.printed[text] {
		t.printed[text] = true
		fmt.Fprint(t.w, text)
	}
	t.mu.Unlock()
	return nil, errDryRun
}

// FormatRequest renders a request as --dry-run shows it, with credentials and secret body fields
// masked by package redact (the one place that knows what is secret).
func FormatRequest(method, url string, header http.Header, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", method, redact.URL(url))
	header = redact.Header(header)
	keys := make([]string, 0, len(header))
	for k := range header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	if len(body) > 0 {
		b.WriteString("\n")
		b.Write(indentJSON(redact.Body(header.Get("Content-Type"), body)))
		b.WriteString("\n")
	}
	return b.String()
}

// indentJSON pretty-prints a JSON body for people; anything else is returned as it is.
func indentJSON(body []byte) []byte {
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		return body
	}
	return out.Bytes()
}
