package cmdutil_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/internal/cli/clickpipe"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/invitation"
	"github.com/chcloud-dev/chcloud/internal/cli/key"
	"github.com/chcloud-dev/chcloud/internal/cli/postgres"
	"github.com/chcloud-dev/chcloud/internal/cli/role"
	"github.com/chcloud-dev/chcloud/internal/cli/service"
)

func ptr[T any](v T) *T { return &v }

// createCommand is one create command of the CLI, run against env with a name to look up.
type createCommand struct {
	name string
	op   string // the operationId the fault targets
	// secret: the answer carries a one-time secret, so a create found after a lost answer is an
	// error that says how to deal with it, not a success.
	secret bool
	// setup runs before the fault is armed (a ClickPipe needs its service).
	setup func(t *testing.T, env *clitest.Env) string
	run   func(ctx context.Context, env *clitest.Env, parent string) error
	// noun's list command names what exists of this kind (in parent, if there is one).
	noun func(*cmdutil.Factory) *cobra.Command
	want string // the name (or email) the create asks for
}

var createCommands = []createCommand{
	{name: "service create", op: "instanceCreate", secret: true, want: "lost-svc",
		run: func(ctx context.Context, env *clitest.Env, _ string) error {
			return service.RunCreate(ctx, &service.CreateOptions{F: env.F, Name: "lost-svc", Provider: "aws", Region: "us-east-1"})
		},
		noun: service.NewCommand},
	{name: "key create", op: "openapiKeyCreate", secret: true, want: "lost-key",
		run: func(ctx context.Context, env *clitest.Env, _ string) error {
			return key.RunCreate(ctx, &key.CreateOptions{F: env.F, Now: time.Now,
				Fields: key.Fields{Name: ptr("lost-key"), Roles: []string{"developer"}}})
		},
		noun: key.NewCommand},
	{name: "postgres create", op: "postgresServiceCreate", secret: true, want: "lost-pg",
		run: func(ctx context.Context, env *clitest.Env, _ string) error {
			return postgres.RunCreate(ctx, &postgres.CreateOptions{F: env.F, Name: "lost-pg", Provider: "aws", Region: "us-east-1", Size: "c6gd.large"})
		},
		noun: postgres.NewCommand},
	{name: "clickpipe create", op: "clickPipeCreate", want: "lost-pipe",
		setup: func(t *testing.T, env *clitest.Env) string {
			t.Helper()
			if err := service.RunCreate(t.Context(), &service.CreateOptions{F: env.F, Name: "ingest", Provider: "aws", Region: "us-east-1", Wait: true}); err != nil {
				t.Fatal(err)
			}
			var created struct{ Service struct{ ID string } }
			env.DecodeOut(t, &created)
			return created.Service.ID
		},
		run: func(ctx context.Context, env *clitest.Env, svc string) error {
			file := filepath.Join(env.Vars["HOME"], "pipe.json")
			_ = os.WriteFile(file, []byte(`{"name": "lost-pipe", "destination": {"database": "default", "table": "events", "managedTable": true}}`), 0o600)
			return clickpipe.RunCreate(ctx, &clickpipe.CreateOptions{F: env.F, ServiceID: svc, File: file})
		},
		noun: clickpipe.NewCommand},
	{name: "invitation create", op: "invitationCreate", want: "lost@example.com",
		run: func(ctx context.Context, env *clitest.Env, _ string) error {
			return invitation.RunCreate(ctx, &invitation.CreateOptions{F: env.F, Email: "lost@example.com", Role: "developer"})
		},
		noun: invitation.NewCommand},
	{name: "role create", op: "organizationRolePost", want: "lost-role",
		run: func(ctx context.Context, env *clitest.Env, _ string) error {
			file := filepath.Join(env.Vars["HOME"], "role.json")
			_ = os.WriteFile(file, []byte(`{"name": "lost-role", "actors": [], "policies": [{"allowDeny": "ALLOW", "permissions": ["control-plane:organization:view"], "resources": ["instance/*"]}]}`), 0o600)
			return role.RunCreate(ctx, &role.WriteOptions{F: env.F, File: file})
		},
		noun: role.NewCommand},
}

// lossyProxy stands in front of the fake: when armed, it swallows the next create (the request
// is read, never passed on, and the connection closed), which is a lost answer for a create that
// did not happen. cloudtest's own faults act before they fail.
type lossyProxy struct {
	next  http.Handler
	armed atomic.Bool
}

func (p *lossyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && p.armed.CompareAndSwap(true, false) {
		_, _ = io.ReadAll(r.Body)
		panic(http.ErrAbortHandler)
	}
	p.next.ServeHTTP(w, r)
}

// setUp starts the fake behind a lossyProxy and runs the command's setup.
func setUp(t *testing.T, cc createCommand) (*clitest.Env, *lossyProxy, string) {
	t.Helper()
	env := clitest.New(t, false)
	proxy := &lossyProxy{next: env.Server}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	env.F.Flags.APIURL = front.URL
	var parent string
	if cc.setup != nil {
		parent = cc.setup(t, env)
	}
	env.Out.Reset()
	env.ErrOut.Reset()
	return env, proxy, parent
}

// listed counts how many of cc.want the command's list shows.
func listed(t *testing.T, env *clitest.Env, cc createCommand, parent string) int {
	t.Helper()
	env.Out.Reset()
	list := []string{"list"}
	if parent != "" {
		list = append(list, parent)
	}
	if err := env.Execute(cc.noun(env.F), list...); err != nil {
		t.Fatal(err)
	}
	defer env.Out.Reset()
	return strings.Count(env.Out.String(), `"`+cc.want+`"`)
}

// TestCreateWhoseAnswerIsLost runs every create command of the CLI that has a name to look up
// into each way of losing the answer: the server acted and dropped the connection, acted and
// cut the body off, acted too slowly for the client, or never acted. The command must say which
// happened, never leave a duplicate behind, and never print a secret in a message.
func TestCreateWhoseAnswerIsLost(t *testing.T) {
	type loss struct {
		name    string
		fault   cloudtest.Fault
		timeout bool // the client gives up before the (delayed) answer
		before  bool // the proxy swallows the request: nothing is created
	}
	losses := []loss{
		{name: "dropped after acting", fault: cloudtest.Fault{Drop: true, Times: 1}},
		{name: "body cut off", fault: cloudtest.Fault{Truncate: true, Times: 1}},
		{name: "answer too slow", fault: cloudtest.Fault{Delay: 3 * time.Second, Times: 1}, timeout: true},
		{name: "dropped before acting", before: true},
	}
	for _, cc := range createCommands {
		for _, l := range losses {
			t.Run(cc.name+"/"+l.name, func(t *testing.T) {
				env, proxy, parent := setUp(t, cc)
				if l.timeout {
					env.F.ClientOptions = append(env.F.ClientOptions, cloud.WithRetryPolicy(cloud.RetryPolicy{AttemptTimeout: 300 * time.Millisecond}))
					env.F.ResetClient() // the setup may have built the client already
				}
				if l.before {
					proxy.armed.Store(true)
				} else {
					env.Server.SetFault(cc.op, l.fault)
				}
				err := cc.run(t.Context(), env, parent)
				stdout, stderr := env.Out.String(), env.ErrOut.String()
				var printed strings.Builder
				cmdutil.PrintError(&printed, err)
				msg := printed.String()

				t.Logf("stderr: %s\nerror: %s", stderr, msg)
				n := listed(t, env, cc, parent)
				switch {
				case l.before:
					if n != 0 {
						t.Fatalf("%d created by a request that never reached the server", n)
					}
					if cmdutil.ExitCode(err) != cmdutil.ExitError || !strings.Contains(msg, "not created") || !strings.Contains(msg, "safe to run the command again") {
						t.Errorf("want 'not created: safe to run again', got %q", msg)
					}
				case n != 1:
					t.Fatalf("%d of %q listed, want exactly the one the call made", n, cc.want)
				case cc.secret:
					if cmdutil.ExitCode(err) != cmdutil.ExitError || !strings.Contains(msg, "created as ") || !strings.Contains(msg, "cannot be shown again") || !strings.Contains(msg, "delete") {
						t.Errorf("want 'created as ID (... lost: delete ...)', got %q", msg)
					}
					if stdout != "" {
						t.Errorf("stdout = %q, want nothing", stdout)
					}
				default:
					if err != nil {
						t.Fatalf("err = %v, want the create found and carried on", err)
					}
					var got map[string]any
					if jerr := json.Unmarshal([]byte(stdout), &got); jerr != nil || got["id"] == nil {
						t.Errorf("stdout = %q, want the created resource as JSON", stdout)
					}
					if !strings.Contains(stderr, "was created as") {
						t.Errorf("stderr = %q, want a note that the answer was lost", stderr)
					}
				}
				if err != nil && !errors.Is(err, cloud.ErrOutcomeUnknown) {
					t.Errorf("the error no longer matches cloud.ErrOutcomeUnknown: %v", err)
				}
				if strings.Contains(msg, "could not reach") {
					t.Errorf("the server was reached: %q", msg)
				}
				if strings.Contains(msg+stderr, env.Server.KeySecret) {
					t.Errorf("a secret in the messages: %q", msg+stderr)
				}
			})
		}
	}
}

// TestCreateNotSent: a create that never reached the server is its plain network error, with
// the hint about reaching the server, and no lookup.
func TestCreateNotSent(t *testing.T) {
	env := clitest.New(t, false)
	dead := httptest.NewServer(http.NotFoundHandler())
	env.F.Flags.APIURL = dead.URL
	dead.Close()
	env.F.Flags.OrgID = env.Server.OrganizationID
	err := key.RunCreate(t.Context(), &key.CreateOptions{F: env.F, Now: time.Now,
		Fields: key.Fields{Name: ptr("never"), Roles: []string{"developer"}}})
	var printed strings.Builder
	cmdutil.PrintError(&printed, err)
	if !cloud.IsNotSent(err) || cloud.IsOutcomeUnknown(err) || !strings.Contains(printed.String(), "could not reach") {
		t.Errorf("err = %q, want not sent, with the network hint", printed.String())
	}
}
