package conformance

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/cloud/redact"
)

// ErrNoCassette is returned (wrapped, with the command that records it) when replay needs a
// cassette that does not exist.
var ErrNoCassette = errors.New("no cassette")

// Cassette is the transport of one spec: a recorder in replay and record mode, a plain
// authenticated transport in live mode.
type Cassette struct {
	http.RoundTripper
	rec *recorder.Recorder
}

// Stop saves the cassette in record mode and releases it otherwise.
func (c *Cassette) Stop() error {
	if c.rec == nil {
		return nil
	}
	return c.rec.Stop()
}

// CassettePath returns the file of a named cassette.
func (c Config) CassettePath(name string) string { return filepath.Join(c.CassetteDir, name+".yaml") }

// OpenCassette returns the transport for the cassette called name (an operationId, or "_setup").
// base is what actually reaches the server in record and live mode (http.DefaultTransport when
// nil); credentials are added below the recorder, so the recorder never sees them, and the
// scrubbing hook removes them again in case a caller set them itself.
func (c Config) OpenCassette(name string, base http.RoundTripper) (*Cassette, error) {
	if base == nil {
		base = http.DefaultTransport
	}
	authed := &basicAuth{next: cloud.RateLimitedTransport(base, c.RateLimit, rateLimitWindow), user: c.KeyID, pass: c.KeySecret}
	path := strings.TrimSuffix(c.CassettePath(name), ".yaml")
	switch c.Mode {
	case Live:
		return &Cassette{RoundTripper: authed}, nil
	case Replay:
		if _, err := os.Stat(path + ".yaml"); err != nil {
			return nil, fmt.Errorf("%w %s.yaml (replay mode): record the cassettes against the fake server with `%s`", ErrNoCassette, path, RecordCommand)
		}
		rec, err := recorder.New(path,
			recorder.WithMode(recorder.ModeReplayOnly),
			recorder.WithMatcher(matchRequest),
			recorder.WithSkipRequestLatency(true),
			recorder.WithRealTransport(noNetwork{}),
		)
		if err != nil {
			return nil, fmt.Errorf("conformance: cassette %s: %w", path, err)
		}
		return &Cassette{RoundTripper: replayOnly{rec, path}, rec: rec}, nil
	default: // Record
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("conformance: cassette directory: %w", err)
		}
		rec, err := recorder.New(path,
			recorder.WithMode(recorder.ModeRecordOnly),
			recorder.WithMatcher(matchRequest),
			recorder.WithSkipRequestLatency(true),
			recorder.WithRealTransport(authed),
			recorder.WithHook(Scrub, recorder.AfterCaptureHook),
		)
		if err != nil {
			return nil, fmt.Errorf("conformance: cassette %s: %w", path, err)
		}
		return &Cassette{RoundTripper: rec, rec: rec}, nil
	}
}

// Scrub removes every secret from an interaction. It runs as an after-capture hook: before the
// interaction is stored, and so before anything is written or handed back to the suite. Secret
// rules live in one place, package cloud/redact; this only applies them to the recorded parts.
func Scrub(i *cassette.Interaction) error {
	i.Request.Headers = redact.Header(i.Request.Headers)
	i.Request.Headers.Del("Authorization")
	i.Request.Body = string(redact.Body(i.Request.Headers.Get("Content-Type"), []byte(i.Request.Body)))
	i.Request.ContentLength = int64(len(i.Request.Body))
	i.Request.URL = redact.URL(i.Request.URL)
	i.Request.Form = nil
	i.Request.RemoteAddr = ""
	i.Response.Headers = redact.Header(i.Response.Headers)
	i.Response.Headers.Del("Date") // not part of the contract; keeps re-recordings diffable
	body := string(redact.Body(i.Response.Headers.Get("Content-Type"), []byte(i.Response.Body)))
	if body != i.Response.Body {
		i.Response.Body = body
		i.Response.Headers.Del("Content-Length")
	}
	i.Response.ContentLength = int64(len(i.Response.Body))
	i.Response.Duration = 0 // timing is not part of the contract, and it keeps re-recordings diffable
	return nil
}

// matchRequest matches a request with a recorded one by method, path and query: the host differs
// between runs (the fake listens on a random port) and bodies carry the run's random names.
// Interactions are used once each, in order, so repeated calls (polling) replay in sequence.
func matchRequest(r *http.Request, i cassette.Request) bool {
	if r.Method != i.Method {
		return false
	}
	recorded, err := http.NewRequest(i.Method, i.URL, nil)
	if err != nil {
		return false
	}
	return r.URL.Path == recorded.URL.Path && r.URL.Query().Encode() == recorded.URL.Query().Encode()
}

// replayOnly turns "interaction not found" into an error that says what to do.
type replayOnly struct {
	rec  *recorder.Recorder
	path string
}

func (t replayOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.rec.RoundTrip(r)
	if errors.Is(err, cassette.ErrInteractionNotFound) {
		return nil, fmt.Errorf("%w: %s %s is not in %s.yaml: the scenario changed since it was recorded; re-record with `%s`",
			ErrNoCassette, r.Method, r.URL.Path, t.path, RecordCommand)
	}
	return resp, err
}

// noNetwork is the real transport of replay mode: replay never reaches a server.
type noNetwork struct{}

func (noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("conformance: replay mode does not call %s", r.URL.Host)
}

// basicAuth adds the API key as HTTP Basic credentials to a copy of each request.
type basicAuth struct {
	next       http.RoundTripper
	user, pass string
}

func (t *basicAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	if c, ok := r.Context().Value(credentialsKey{}).(credentials); ok {
		// A negative scenario's key (a wrong secret, a disabled key) replaces the run's.
		r = r.Clone(r.Context())
		r.SetBasicAuth(c.user, c.pass)
		return t.next.RoundTrip(r)
	}
	if t.user == "" && t.pass == "" {
		return t.next.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.SetBasicAuth(t.user, t.pass)
	return t.next.RoundTrip(r)
}
