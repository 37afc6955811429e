// Package mockcmd is `chcloud mock`: it runs the fake ClickHouse Cloud API server of package
// cloudtest as a process, so that other programs (scripts, the CLI demo, record mode of the
// conformance suite) can talk to it over HTTP.
package mockcmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
)

// Top is how `chcloud --help` lists `chcloud mock`.
var Top = cmdutil.Top{Use: "mock", Short: "Run a fake ClickHouse Cloud API server for tests and demos"}

// NewCommand returns the `mock` command and its `serve` subcommand, which print to f's streams.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   Top.Use,
		Short: Top.Short,
		Long: "Run a fake ClickHouse Cloud API server (package cloudtest) that answers every operation of the\n" +
			"published OpenAPI document, keeps services, keys, members, ClickPipes and Postgres services in\n" +
			"memory, and behaves like the real API (async states, 409 on early delete, rate limits, HTML 404).\n\n" +
			"It reproduces the real API's known quirks, answers its document does not describe (bare 429 body,\n" +
			"401 without requestId, null reversePrivateEndpointIds on Kafka ClickPipes, DELETE answered with an\n" +
			"empty body or a full envelope, PATCH .../state answered {}, 409 on service DELETE after stopping, 424\n" +
			"on ClickPipe create for an idle service, ClickHouse setting values as numbers, a plain-text 400 for\n" +
			"awake on a service that is not idle, 404 on CDC ClickPipe settings, 409 DEPENDENT_REPLICA, 404\n" +
			"\"Unknown Error\" for a deleted ClickStack item); `mock serve --no-quirks` answers as the document says.\n\n" +
			"API keys do what their roles allow from their next request: Admin and custom roles everything, Service\n" +
			"Admin changes to existing services, every other role (developer, the default) only reads; anything else\n" +
			"gets 403. A disabled key gets 401 \"Key is disabled\", one past its expireAt 401 \"Key is not active\".",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newServeCommand(f))
	return cmd
}

// serveOptions are the flags of `mock serve`.
type serveOptions struct {
	f                 *cmdutil.Factory
	addr              string
	seed              int64
	rateLimit         int
	rateWindow        time.Duration
	provisioningDelay time.Duration
	transitionDelay   time.Duration
	deleteCooldown    time.Duration
	idleTimeout       time.Duration
	consistencyDelay  time.Duration
	provisioningErrs  bool
	noQuirks          bool
	faultRate         float64
	faultSeed         int64
	shutdownTimeout   time.Duration
}

func newServeCommand(f *cmdutil.Factory) *cobra.Command {
	o := serveOptions{f: f}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the fake API until interrupted (SIGINT/SIGTERM)",
		Long: "Serve the fake API until interrupted (SIGINT/SIGTERM). It behaves like the real API, quirks\n" +
			"included: the answers the real API gives although its OpenAPI document does not describe them\n" +
			"(see `chcloud mock --help`). --no-quirks turns them all off, for a server that answers exactly as\n" +
			"the document says (useful to tell a client's bug from a real-API deviation).",
		Example: "  chcloud mock serve --addr 127.0.0.1:8124\n" +
			"  chcloud mock serve --rate-limit 0 --provisioning-delay 1s   # fast, for scripts\n" +
			"  chcloud mock serve --no-quirks                              # answers only as the document says",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			return runServe(ctx, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.addr, "addr", "127.0.0.1:8124", "address to listen on (host:port; port 0 picks a free one)")
	fl.Int64Var(&o.seed, "seed", 1, "seed for generated IDs, credentials and synthesized answers")
	fl.IntVar(&o.rateLimit, "rate-limit", 10, "requests allowed per key and window, like the real API (0 turns rate limiting off)")
	fl.DurationVar(&o.rateWindow, "rate-window", 10*time.Second, "length of the fixed rate-limit window")
	fl.DurationVar(&o.provisioningDelay, "provisioning-delay", 10*time.Second, "how long a new service stays provisioning")
	fl.DurationVar(&o.transitionDelay, "transition-delay", 3*time.Second, "how long starting, stopping, awaking and terminating last")
	fl.DurationVar(&o.deleteCooldown, "delete-cooldown", 5*time.Second, "how long after stopping a DELETE still answers 409")
	fl.DurationVar(&o.idleTimeout, "idle-timeout", 15*time.Minute, "how long a running service with idle scaling stays running before idling")
	fl.DurationVar(&o.consistencyDelay, "consistency-delay", 0, "how long member role changes take to show (the real API: about 30s; 0 shows them at once)")
	fl.BoolVar(&o.provisioningErrs, "provisioning-errors", false, "answer 500 on a service's sub-resources while it is provisioning, as the real API has been seen to")
	fl.BoolVar(&o.noQuirks, "no-quirks", false, "answer as the OpenAPI document says, without the real API's quirks (empty DELETE bodies, bare 429, 409 after stopping...)")
	fl.Float64Var(&o.faultRate, "fault-rate", 0, "fraction of requests (0..1) answered with a random fault (5xx, dropped connection, truncated body)")
	fl.Int64Var(&o.faultSeed, "fault-seed", 1, "seed for choosing random faults")
	fl.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 5*time.Second, "how long to wait for requests in flight when stopping")
	return cmd
}

func (o serveOptions) validate() error {
	addrHint := []string{"for example --addr 127.0.0.1:8124, or --addr 127.0.0.1:0 for a free port"}
	if _, port, err := net.SplitHostPort(o.addr); err != nil {
		return &cmdutil.Error{Code: cmdutil.ExitUsage, Err: fmt.Errorf("--addr %q is not host:port", o.addr), Hints: addrHint}
	} else if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return &cmdutil.Error{Code: cmdutil.ExitUsage, Err: fmt.Errorf("--addr %q: the port must be a number from 0 to 65535", o.addr), Hints: addrHint}
	}
	switch {
	case o.rateLimit < 0:
		return cmdutil.UsageError(errors.New("--rate-limit must be 0 or more"))
	case o.rateWindow <= 0:
		return cmdutil.UsageError(errors.New("--rate-window must be positive"))
	case o.faultRate < 0 || o.faultRate > 1:
		return cmdutil.UsageError(errors.New("--fault-rate must be between 0 and 1"))
	case o.provisioningDelay < 0 || o.transitionDelay < 0 || o.deleteCooldown < 0 || o.consistencyDelay < 0:
		return cmdutil.UsageError(errors.New("delays must not be negative"))
	}
	return nil
}

func runServe(ctx context.Context, o serveOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	opts := []cloudtest.Option{
		cloudtest.WithSeed(o.seed),
		cloudtest.WithProvisioningDelay(o.provisioningDelay),
		cloudtest.WithTransitionDelay(o.transitionDelay),
		cloudtest.WithDeleteCooldown(o.deleteCooldown),
		cloudtest.WithIdleTimeout(o.idleTimeout),
		cloudtest.WithEventualConsistency(o.consistencyDelay),
	}
	if o.rateLimit > 0 {
		opts = append(opts, cloudtest.WithRateLimit(o.rateLimit, o.rateWindow))
	}
	if o.provisioningErrs {
		opts = append(opts, cloudtest.WithProvisioningErrors())
	}
	if o.faultRate > 0 {
		opts = append(opts, cloudtest.WithRandomFaults(o.faultRate, o.faultSeed))
	}
	if o.noQuirks {
		opts = append(opts, cloudtest.WithoutQuirks())
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv, err := cloudtest.Start(o.addr, opts...)
	if err != nil {
		return listenError(o.addr, err)
	}
	out := o.f.IOStreams.Out
	fmt.Fprintf(out, "Fake ClickHouse Cloud API (cloudtest %s) listening on %s\n", cloudtest.Version, srv.URL)
	if srv.Quirks() == cloudtest.NoQuirks {
		fmt.Fprintln(out, "Quirks of the real API: off (answers as the OpenAPI document says)")
	} else {
		fmt.Fprintln(out, "Quirks of the real API: on (--no-quirks answers as the OpenAPI document says)")
	}
	fmt.Fprintf(out, "Credentials of its admin key (fake; they only work against this server):\n")
	fmt.Fprintf(out, "export %s=%s\n", cloud.EnvBaseURL, srv.URL)
	fmt.Fprintf(out, "export %s=%s\n", cloud.EnvKeyID, srv.KeyID)
	fmt.Fprintf(out, "export %s=%s\n", cloud.EnvKeySecret, srv.KeySecret)
	fmt.Fprintf(out, "export %s=%s\n", cloud.EnvOrgID, srv.OrganizationID)

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("mock serve: shutting down: %w", err)
	}
	fmt.Fprintln(o.f.IOStreams.ErrOut, "fake server stopped")
	return nil
}

// listenError says why serve could not listen on addr, in the CLI's terms: a port that another
// process holds is a runtime condition (exit 1) with what to do instead; an address that is not
// one of this machine's is bad input (exit 2). The error does not wrap the *net.OpError, whose
// presence would make the CLI add its "could not reach the server" hint, which is for clients.
func listenError(addr string, err error) error {
	host, _, _ := net.SplitHostPort(addr)
	if host == "" {
		host = "127.0.0.1"
	}
	switch {
	case addrInUse(err):
		return &cmdutil.Error{Code: cmdutil.ExitError,
			Err: fmt.Errorf("mock serve: %s is already in use: another process (perhaps another `chcloud mock serve`) is listening on it", addr),
			Hints: []string{fmt.Sprintf("serve on another port with --addr %s, or let the system pick a free one with --addr %s (the URL is printed on start)",
				net.JoinHostPort(host, nextPort(addr)), net.JoinHostPort(host, "0"))}}
	case addrNotLocal(err):
		return &cmdutil.Error{Code: cmdutil.ExitUsage,
			Err:   fmt.Errorf("mock serve: cannot listen on %s: %s is not an address of this machine", addr, host),
			Hints: []string{"listen on loopback with --addr 127.0.0.1:8124 (or 127.0.0.1:0 for a free port), or on every interface with --addr 0.0.0.0:8124"}}
	}
	return &cmdutil.Error{Code: cmdutil.ExitError, Err: fmt.Errorf("mock serve: cannot listen on %s: %s", addr, rootCause(err))}
}

// addrInUse recognises "address already in use" (EADDRINUSE; on Windows WSAEADDRINUSE, which
// syscall does not map to EADDRINUSE, hence the text).
func addrInUse(err error) bool {
	if errors.Is(err, syscall.EADDRINUSE) {
		return true
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "address already in use") || strings.Contains(msg, "only one usage of each socket address")
}

// addrNotLocal recognises a host that cannot be listened on here: not an address of this machine
// (EADDRNOTAVAIL), or a name that does not resolve.
func addrNotLocal(err error) bool {
	var dnsErr *net.DNSError
	var addrErr *net.AddrError
	return errors.Is(err, syscall.EADDRNOTAVAIL) || errors.As(err, &dnsErr) || errors.As(err, &addrErr) ||
		strings.Contains(strings.ToLower(err.Error()), "requested address is not valid")
}

// nextPort is the port after addr's, as a suggestion ("0" when there is none).
func nextPort(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n >= 65535 {
		return "0"
	}
	return strconv.Itoa(n + 1)
}

// rootCause is the innermost error's text ("bind: permission denied"), without the layers that
// repeat the address.
func rootCause(err error) string {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	return err.Error()
}
