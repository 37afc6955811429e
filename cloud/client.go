package cloud

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chcloud-dev/chcloud/cloud/redact"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// Version is the SDK version; the default user agent is "chcloud/" + Version.
var Version = "0.1.0-dev"

// DefaultBaseURL is the ClickHouse Cloud API; CLICKHOUSE_API_URL or WithBaseURL override it.
const DefaultBaseURL = "https://api.clickhouse.cloud"

// Environment variables, one name per setting for the SDK, the CLI and the conformance suite,
// named as ClickHouse's own tools name them. New reads the first three when the corresponding
// option is not given.
const (
	EnvKeyID     = "CLICKHOUSE_CLOUD_API_KEY"
	EnvKeySecret = "CLICKHOUSE_CLOUD_API_SECRET"
	EnvBaseURL   = "CLICKHOUSE_API_URL"
	// EnvOrgID names the organization to work on. New does not read it (every call takes its
	// organization ID); the CLI does, and programs on the SDK may.
	EnvOrgID = "CLICKHOUSE_ORG_ID"
)

// Client is the generated client (every operation of the API as a method) with authentication,
// rate limiting, retries, debug logging and tolerant decoding built into its transport, plus
// helpers for what the API leaves to callers: waiting, lifecycles and pagination.
type Client struct {
	*cloudapi.ClientWithResponses

	baseURL string
	http    *http.Client
	logger  *slog.Logger
	clock   clock
	budget  *budget // what the client knows of its key's request budget; waiters read it

	orgMu sync.Mutex
	orgID string

	// keyID is the credential key ID the client signs in with: AuditKeys marks the key in use
	// by it, and RotateKey knows when the key being rotated is its own.
	keyID string
	// cfg is the configuration New built the client from, without the credentials (so the
	// secret is kept only in the Authorization header), for withCredentials.
	cfg config
}

// Option configures New.
type Option func(*config)

type config struct {
	keyID, keySecret string
	baseURL          string
	httpClient       *http.Client
	userAgent        string
	logger           *slog.Logger
	rateLimit        bool
	rateFixed        bool // withFixedRateLimit
	rateRequests     int
	ratePer          time.Duration
	retry            RetryPolicy
	clock            clock
	// attemptTimeout is the last of WithAttemptTimeout and a non-zero
	// RetryPolicy.AttemptTimeout given; attemptTimeoutSet says whether either was.
	attemptTimeout    time.Duration
	attemptTimeoutSet bool
	insecureHTTP      bool
	waitNotify        func(WaitEvent)
}

// WithCredentials sets the API key ID and secret (default: $CLICKHOUSE_CLOUD_API_KEY and
// $CLICKHOUSE_CLOUD_API_SECRET).
func WithCredentials(keyID, keySecret string) Option {
	return func(c *config) { c.keyID, c.keySecret = keyID, keySecret }
}

// WithBaseURL sets the API server (default $CLICKHOUSE_API_URL, else https://api.clickhouse.cloud).
// It must be https://, or http:// to this machine (loopback, such as the fake server of package
// cloudtest), unless WithInsecureHTTP is given. User info in it (https://user:pass@host) is
// dropped: credentials travel only in the Authorization header made from WithCredentials.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithHTTPClient sets the HTTP client whose Transport (http.DefaultTransport when nil) the SDK's
// transport chain wraps. Its Timeout, if any, bounds a whole call including retries. The client
// given is not modified.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithUserAgent replaces the default user agent "chcloud/<Version>".
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// WithLogger sends a debug record for every HTTP attempt to logger, with secrets redacted. Nothing
// is logged unless the logger is enabled for slog.LevelDebug.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithRateLimit sets the budget the client assumes until the server announces its own (default
// 10 per 10 s, the API's documented limit per key). Once answers carry X-RateLimit-Remaining and
// X-RateLimit-Reset the client follows them, up or down (see the package documentation); a server
// that announces nothing gets a token bucket at this rate. Share one Client between goroutines
// so they share the budget.
func WithRateLimit(requests int, per time.Duration) Option {
	return func(c *config) { c.rateLimit, c.rateRequests, c.ratePer = true, requests, per }
}

// WithoutRateLimit turns the client-side limiter off; 429 answers are still retried.
func WithoutRateLimit() Option { return func(c *config) { c.rateLimit = false } }

// WithRetryPolicy replaces the default retry policy (see DefaultRetryPolicy). A non-zero
// AttemptTimeout in it counts as WithAttemptTimeout given at this point.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) {
		c.retry = p
		if p.AttemptTimeout != 0 {
			c.attemptTimeout, c.attemptTimeoutSet = max(p.AttemptTimeout, 0), true
		}
	}
}

// WithAttemptTimeout bounds each attempt of a call (sending the request, the answer and its whole
// body; not the wait for the rate limiter) to d; 0 means no limit beyond the call's context and
// the http.Client's Timeout. The default is DefaultAttemptTimeout (60 s). An attempt that runs
// out is retried when the method allows (GET, PUT, DELETE); a POST or PATCH that was sent fails
// with ErrOutcomeUnknown and is never sent again. When both this and
// RetryPolicy.AttemptTimeout are given, the later option wins.
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *config) { c.attemptTimeout, c.attemptTimeoutSet = max(d, 0), true }
}

// withClock lets tests drive waits, backoff and rate limiting with a fake clock.
func withClock(cl clock) Option { return func(c *config) { c.clock = cl } }

// New returns a Client. Credentials come from WithCredentials or the environment; without them
// New fails, naming the variables to set.
func New(opts ...Option) (*Client, error) {
	cfg := config{
		keyID:        os.Getenv(EnvKeyID),
		keySecret:    os.Getenv(EnvKeySecret),
		baseURL:      os.Getenv(EnvBaseURL),
		userAgent:    "chcloud/" + Version,
		rateLimit:    true,
		rateRequests: 10,
		ratePer:      10 * time.Second,
		retry:        DefaultRetryPolicy(),
		clock:        realClock{},
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	return newClient(cfg)
}

// withCredentials returns a client like c (base URL, HTTP client, retries, rate limit, logger,
// clock) that signs in with another key: RotateKey proves a new key works with it. The new
// client keeps its own request budget, as the API counts requests per key.
func (c *Client) withCredentials(keyID, keySecret string) (*Client, error) {
	cfg := c.cfg
	cfg.keyID, cfg.keySecret = keyID, keySecret
	return newClient(cfg)
}

func newClient(cfg config) (*Client, error) {
	if cfg.keyID == "" || cfg.keySecret == "" {
		return nil, fmt.Errorf("cloud: no API key: set %s and %s, or pass cloud.WithCredentials", EnvKeyID, EnvKeySecret)
	}
	if cfg.baseURL == "" {
		cfg.baseURL = DefaultBaseURL
	}
	base, err := url.Parse(cfg.baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		// The URL is quoted redacted: it may carry a password in its user info.
		return nil, fmt.Errorf("cloud: base URL %q is not an http(s) URL", redact.URL(cfg.baseURL))
	}
	if base.User != nil {
		// Never used (the Authorization header made from the credentials wins over it in
		// net/http), and a password in it would show wherever the URL is printed.
		base.User = nil
		cfg.baseURL = base.String()
	}
	if strings.HasSuffix(strings.TrimSuffix(base.Path, "/"), "/v1") {
		// The document is published at .../v1, so that is the URL people copy; but every
		// operation's path already starts with /v1, and .../v1/v1/... only meets the gateway's 404.
		return nil, fmt.Errorf("cloud: base URL %q ends in /v1: give the server's root (such as %s); every operation's path starts with /v1",
			cfg.baseURL, DefaultBaseURL)
	}
	if err := checkTransportSecurity(base, cfg.insecureHTTP); err != nil {
		return nil, err
	}
	if cfg.rateLimit && (cfg.rateRequests <= 0 || cfg.ratePer <= 0) {
		return nil, errors.New("cloud: WithRateLimit needs a positive number of requests and period")
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}

	hc := &http.Client{}
	if cfg.httpClient != nil {
		copied := *cfg.httpClient
		hc = &copied
	}
	policy := cfg.retry.withDefaults()
	policy.AttemptTimeout = DefaultAttemptTimeout
	if cfg.attemptTimeoutSet {
		policy.AttemptTimeout = cfg.attemptTimeout
	}
	notify := waitNotifier{fn: cfg.waitNotify}

	// Computed once: every request carries the same two headers.
	authorization := []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.keyID+":"+cfg.keySecret))}
	userAgent := []string{cfg.userAgent}

	// The chain, from the network up: log each attempt as sent; keep the credentials to their
	// origin (redirects); bound each attempt; keep within the key's budget; retry; tolerate
	// what the service sends.
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	next = &logTransport{next: next, logger: cfg.logger}
	next = newCredentialGuard(next, base, authorization[0])
	next = &attemptTimeoutTransport{next: next, timeout: policy.AttemptTimeout}
	// Without the limiter, answers are still read so that waiters know how busy the key is.
	budget := newBudget(cfg.clock, cfg.rateRequests, cfg.ratePer, cfg.rateLimit, cfg.rateFixed)
	next = newRateLimitTransport(next, budget, notify, policy.MaxAttempts)
	next = &retryTransport{next: next, policy: policy, clock: cfg.clock, notify: notify}
	next = &tolerantTransport{next: next, basePath: strings.TrimSuffix(base.EscapedPath(), "/"), logger: cfg.logger}
	hc.Transport = next

	generated, err := cloudapi.NewClientWithResponses(cfg.baseURL,
		cloudapi.WithHTTPClient(hc),
		cloudapi.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header["Authorization"] = authorization
			r.Header["User-Agent"] = userAgent
			return nil
		}))
	if err != nil {
		return nil, fmt.Errorf("cloud: %w", err)
	}
	return &Client{
		ClientWithResponses: generated,
		baseURL:             strings.TrimSuffix(cfg.baseURL, "/"),
		http:                hc,
		logger:              cfg.logger,
		clock:               cfg.clock,
		budget:              budget,
		keyID:               cfg.keyID,
		cfg:                 withoutSecret(cfg),
	}, nil
}

func withoutSecret(cfg config) config {
	cfg.keyID, cfg.keySecret = "", ""
	return cfg
}

// BaseURL returns the API server the client talks to.
func (c *Client) BaseURL() string { return c.baseURL }

// HTTPClient returns the client's *http.Client with the SDK's transport chain (rate limit,
// retries, logging), for requests the generated client does not make. It does not add
// credentials: that is done per request by the generated client.
func (c *Client) HTTPClient() *http.Client { return c.http }

// OrganizationID returns the ID of the organization the API key belongs to (a key belongs to
// exactly one), asking GET /v1/organizations once and caching the answer.
func (c *Client) OrganizationID(ctx context.Context) (string, error) {
	c.orgMu.Lock()
	defer c.orgMu.Unlock()
	if c.orgID != "" {
		return c.orgID, nil
	}
	orgs, err := Result(c.OrganizationGetListWithResponse(ctx))
	if err != nil {
		return "", fmt.Errorf("cloud: finding the key's organization: %w", err)
	}
	if len(orgs) != 1 || orgs[0].ID == nil || *orgs[0].ID == "" {
		return "", fmt.Errorf("cloud: finding the key's organization: the API listed %d organizations, want exactly one", len(orgs))
	}
	c.orgID = *orgs[0].ID
	return c.orgID, nil
}
