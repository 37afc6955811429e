package cmdutil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/internal/cli/config"
	"github.com/chcloud-dev/chcloud/internal/cli/iostreams"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Factory is what commands receive: streams, the global flag values and lazily built state.
// Nothing expensive happens until a command asks for it, so `chcloud --help` stays fast.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Getenv    func(string) string

	// Global flags (bound by the root command).
	Flags   config.Flags
	Output  output.Options
	Debug   bool
	DryRun  bool
	Yes     bool
	Timeout time.Duration // how long --wait waits
	// PollInterval overrides the SDK's poll interval for waits (hidden flag, for demos and tests).
	PollInterval time.Duration

	// HTTPClient is the transport the SDK uses; nil means a default client. Tests may set it.
	HTTPClient *http.Client

	// ClientOptions are added to the SDK options (tests use them for fast waits).
	ClientOptions []cloud.Option

	// CreatesProfile is set by the commands that write a profile (auth login, config set):
	// --profile may then name one the config file does not have yet.
	CreatesProfile bool

	// CommandLine is the command line being run, when the root knows it: Command then binds the
	// flags only of the commands it may run (MayRun). nil, as in tests that walk the whole tree
	// and during shell completion, builds every command whole.
	CommandLine []string

	resolved *config.Resolved
	client   *cloud.Client
	orgID    string
}

// Config resolves flags > environment > profile file, once.
func (f *Factory) Config() (*config.Resolved, error) {
	if f.resolved != nil {
		return f.resolved, nil
	}
	var opts []config.ResolveOption
	if f.CreatesProfile {
		opts = append(opts, config.AllowNewProfile())
	}
	r, err := config.Resolve(f.Flags, f.Getenv, opts...)
	if err != nil {
		return nil, UsageErrorf("%w", err)
	}
	f.resolved = r
	return r, nil
}

// Client builds the SDK client from the resolved settings, once. Missing credentials are an
// authentication error (exit 4) that says where credentials can come from.
func (f *Factory) Client() (*cloud.Client, error) {
	if f.client != nil {
		return f.client, nil
	}
	r, err := f.Config()
	if err != nil {
		return nil, err
	}
	if !r.KeyID.Set() || !r.KeySecret.Set() {
		missing := config.EnvKeyID
		if r.KeyID.Set() {
			missing = config.EnvKeySecret
		} else if !r.KeySecret.Set() {
			missing += " and " + config.EnvKeySecret
		}
		return nil, &Error{Code: ExitAuth, Err: fmt.Errorf("no API credentials: %s not set", missing),
			Hints: []string{"set " + config.EnvKeyID + " and " + config.EnvKeySecret + ", pass --api-key and --api-secret, " +
				"or run 'chcloud auth login' to save them in a profile"}}
	}
	opts := []cloud.Option{
		cloud.WithCredentials(r.KeyID.Value, r.KeySecret.Value),
		cloud.WithUserAgent("chcloud/" + cloud.Version),
	}
	baseURL := cloud.DefaultBaseURL
	if r.APIURL.Set() {
		baseURL = r.APIURL.Value
	}
	opts = append(opts, cloud.WithBaseURL(baseURL))
	conn, err := f.connectionOptions(r)
	if err != nil {
		return nil, err
	}
	// Before ClientOptions, so that a test's own timeout or retry policy wins.
	opts = append(opts, conn...)
	if isLoopback(baseURL) {
		// A server on this machine is the fake (chcloud mock serve): the real API's limit of
		// 10 requests per 10 seconds does not apply, and the fake enforces its own if asked to.
		opts = append(opts, cloud.WithoutRateLimit())
	}
	opts = append(opts, f.ClientOptions...)
	httpClient := f.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	if f.DryRun {
		httpClient = DryRunClient(httpClient, f.IOStreams.Out)
		// The dry-run transport answers writes with an error; retrying it would only wait.
		opts = append(opts, cloud.WithRetryPolicy(cloud.RetryPolicy{MaxAttempts: 1}))
	}
	opts = append(opts, cloud.WithHTTPClient(httpClient))
	if f.Debug {
		opts = append(opts, cloud.WithLogger(slog.New(slog.NewTextHandler(f.IOStreams.ErrOut,
			&slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	c, err := cloud.New(opts...)
	if errors.Is(err, cloud.ErrInsecureHTTP) {
		return nil, insecureHTTPError(r, baseURL)
	}
	if err != nil {
		// Credentials were checked above, so this is a setting such as a malformed --api-url.
		return nil, UsageErrorf("%w", err)
	}
	f.client = c
	return c, nil
}

// OrgID returns the organization to work on: the configured one, or the key's one organization.
func (f *Factory) OrgID(ctx context.Context) (string, error) {
	if f.orgID != "" {
		return f.orgID, nil
	}
	r, err := f.Config()
	if err != nil {
		return "", err
	}
	if r.OrgID.Set() {
		if err := ValidateID("organization", r.OrgID.Value); err != nil {
			return "", err
		}
		f.orgID = r.OrgID.Value
		return f.orgID, nil
	}
	c, err := f.Client()
	if err != nil {
		return "", err
	}
	id, err := c.OrganizationID(ctx)
	if err != nil {
		return "", fmt.Errorf("looking up the key's organization: %w", err)
	}
	f.orgID = id
	return id, nil
}

// ClientAndOrg is Client and OrgID together, which nearly every command needs.
func (f *Factory) ClientAndOrg(ctx context.Context) (*cloud.Client, string, error) {
	c, err := f.Client()
	if err != nil {
		return nil, "", err
	}
	org, err := f.OrgID(ctx)
	if err != nil {
		return nil, "", err
	}
	return c, org, nil
}

// Print writes a result to stdout in the format the flags and the terminal call for.
func (f *Factory) Print(data any, table output.Table) error {
	return output.Print(f.IOStreams.Out, f.Output, f.IOStreams.IsStdoutTTY(), data, table)
}

// IsTable reports whether results are going to be printed as a table (for a person).
func (f *Factory) IsTable() bool {
	return f.Output.Resolve(f.IOStreams.IsStdoutTTY()) == "table"
}

func isLoopback(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// PrintList prints a list result; an empty list in a table says so on stderr instead of printing
// a lone header, while JSON stays [] for scripts.
func (f *Factory) PrintList(result []byte, table output.Table, plural string) error {
	if f.IsTable() && f.Output.JQ == "" {
		var items []any
		if err := json.Unmarshal(result, &items); err == nil && len(items) == 0 {
			fmt.Fprintf(f.IOStreams.ErrOut, "No %s found\n", plural)
			return nil
		}
	}
	if len(result) == 0 {
		result = []byte("[]")
	}
	return f.Print(json.RawMessage(result), table)
}

// Infof writes a message for people on stderr (confirmations, what happens next). Scripts read
// stdout, so these never mix with results.
func (f *Factory) Infof(format string, args ...any) {
	fmt.Fprintf(f.IOStreams.ErrOut, format+"\n", args...)
}

// ResetClient forgets the resolved settings and the client, after the flags changed (auth login
// checks the key it was given before saving it).
func (f *Factory) ResetClient() {
	f.resolved, f.client, f.orgID = nil, nil, ""
}
