// Package conformance calls every operation of the published ClickHouse Cloud OpenAPI document
// and reports, as findings, every way the answers differ from the document.
//
// The Ginkgo suite (conformance_suite_test.go) has one spec per operation. This package holds what
// the suite and the sweep command share: the mode switch (replay, record, live), cassettes and
// their scrubbing, a raw HTTP caller, run-prefixed resource names, and the scenario of every
// operation (how to build a valid request, and how to clean up after a mutating one). Findings
// themselves come from package conformance/findings.
package conformance

import (
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
)

// EnvRateLimit sets how many requests per 10 seconds record and live mode send (0: no limit).
// The default follows the real API's documented limit for a key, 10 per 10 seconds; runs against
// the in-process fake are not limited.
const EnvRateLimit = "CHCLOUD_CONFORMANCE_RATE_LIMIT"

// rateLimitWindow is the real API's fixed window. Record and live runs send through
// cloud.RateLimitedTransport, the SDK's own limiter: it keeps the run within the key's budget and
// waits out a 429 (the request was not processed, so repeating it is safe for any method) instead
// of handing it to the scenario, since a rate limit hit by the suite itself is not drift of the
// operation it called.
const rateLimitWindow = 10 * time.Second

// Mode says where answers come from.
type Mode string

// The modes; CHCLOUD_CONFORMANCE selects one.
const (
	Replay Mode = "replay" // answers come from the cassettes; no network
	Record Mode = "record" // calls a server and saves scrubbed cassettes
	Live   Mode = "live"   // calls a server, validates, saves nothing
)

// DefaultAPIURL is the real API.
const DefaultAPIURL = "https://api.clickhouse.cloud"

// FakeURL, as CLICKHOUSE_API_URL, starts the fake server (cloudtest) in the test process.
const FakeURL = "fake"

// NamePrefix starts the name of every resource the suite creates; the sweep command deletes what
// carries it. Names are plain alphanumerics because service names allow nothing else.
const NamePrefix = "chcconf"

// Environment variables.
const (
	EnvMode = "CHCLOUD_CONFORMANCE"
	// EnvURL, EnvKey and EnvSecret are the SDK's and the CLI's names for the same settings.
	EnvURL    = cloud.EnvBaseURL
	EnvKey    = cloud.EnvKeyID
	EnvSecret = cloud.EnvKeySecret
	// EnvURLDeprecated is the suite's former name for EnvURL, still read when EnvURL is unset.
	EnvURLDeprecated = "CHCLOUD_API_URL"
	EnvMutate        = "CHCLOUD_CONFORMANCE_MUTATE"
	EnvCassettes     = "CHCLOUD_CONFORMANCE_CASSETTES"
	EnvReport        = "CHCLOUD_CONFORMANCE_REPORT"
	// EnvDisposableMember is the email of a member that memberDelete may remove. Members join
	// only by accepting an emailed invitation, so the run cannot create one; without this the
	// operation is skipped. Against the fake server it defaults to a seeded member.
	EnvDisposableMember = "CHCLOUD_CONFORMANCE_DISPOSABLE_MEMBER"
)

// Config is one run's settings.
type Config struct {
	Mode        Mode
	BaseURL     string // DefaultAPIURL, FakeURL, or any server; unused in replay
	KeyID       string
	KeySecret   string
	Mutate      bool   // run mutating operations (record and live only; replay always replays them)
	CassetteDir string // where cassettes are read and written
	ReportDir   string // where drift.json and drift.md go
	RunPrefix   string // NamePrefix plus a random run id
	// RateLimit is the number of requests per 10 seconds in record and live mode; 0 for none.
	RateLimit int
	// DisposableMember is the email of the member memberDelete removes ("" skips it).
	DisposableMember string
	// FakeQuirks is set when the run calls the in-process fake: which of the real API's quirks
	// it reproduces ("all", "none", or their names). Reports say it, since without quirks the
	// fake answers exactly as the document says.
	FakeQuirks string
	// Today is the date a record or live run is made on (YYYY-MM-DD); the reports carry it.
	// Zero means the current date.
	Today string
}

// RecordCommand is how to (re)record every cassette against the in-process fake server.
const RecordCommand = "CHCLOUD_CONFORMANCE=record CLICKHOUSE_API_URL=fake CHCLOUD_CONFORMANCE_MUTATE=1 go test ./conformance/"

// baseURLFromEnv reads EnvURL, or else the deprecated EnvURLDeprecated: a setup that still
// exports only the old name keeps calling the server it names.
func baseURLFromEnv(getenv func(string) string) string {
	if v := getenv(EnvURL); v != "" {
		return v
	}
	return getenv(EnvURLDeprecated)
}

// ConfigFromEnv reads the run's settings. dir is the conformance directory, the base of the
// default cassette and report locations.
func ConfigFromEnv(getenv func(string) string, dir string) (Config, error) {
	c := Config{
		Mode:        Mode(strings.ToLower(strings.TrimSpace(getenv(EnvMode)))),
		BaseURL:     strings.TrimRight(baseURLFromEnv(getenv), "/"),
		KeyID:       getenv(EnvKey),
		KeySecret:   getenv(EnvSecret),
		CassetteDir: getenv(EnvCassettes),
		ReportDir:   getenv(EnvReport),

		DisposableMember: strings.TrimSpace(getenv(EnvDisposableMember)),
	}
	if c.Mode == "" {
		c.Mode = Replay
	}
	switch c.Mode {
	case Replay, Record, Live:
	default:
		return Config{}, fmt.Errorf("%s=%q: want replay, record or live", EnvMode, c.Mode)
	}
	switch strings.ToLower(getenv(EnvMutate)) {
	case "1", "true", "yes":
		c.Mutate = true
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultAPIURL
	}
	if strings.HasSuffix(c.BaseURL, "/v1") {
		return Config{}, fmt.Errorf("%s=%q ends in /v1: give the server's root (%s); every operation's path starts with /v1",
			EnvURL, c.BaseURL, DefaultAPIURL)
	}
	if c.CassetteDir == "" {
		c.CassetteDir = filepath.Join(dir, "testdata", "cassettes")
	}
	if c.ReportDir == "" {
		c.ReportDir = filepath.Join(dir, "report")
	}
	if c.Mode != Replay && c.BaseURL != FakeURL && (c.KeyID == "" || c.KeySecret == "") {
		return Config{}, errors.New("record and live modes call " + c.BaseURL + ": set " + EnvKey + " and " + EnvSecret +
			" (or " + EnvURL + "=" + FakeURL + " for the in-process fake server)")
	}
	c.RunPrefix = NamePrefix + randomID(6)
	c.RateLimit = 10
	if c.BaseURL == FakeURL {
		c.RateLimit = 0
	}
	if v := getenv(EnvRateLimit); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return Config{}, fmt.Errorf("%s=%q: want a number of requests per 10 seconds (0: no limit)", EnvRateLimit, v)
		}
		c.RateLimit = n
	}
	return c, nil
}

// CallsServer reports whether the run talks to a server (record or live).
func (c Config) CallsServer() bool { return c.Mode != Replay }

// RunsMutating reports whether mutating operations run: always in replay (they only replay),
// otherwise only when allowed.
func (c Config) RunsMutating() bool { return c.Mode == Replay || c.Mutate }

// Name returns a resource name for this run: the run prefix plus a suffix (alphanumerics only).
func (c Config) Name(suffix string) string { return c.RunPrefix + suffix }

func randomID(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
