package service

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
)

// countingTransport counts the requests that list services (GET .../services, no ID).
type countingTransport struct {
	mu    sync.Mutex
	lists int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/services") {
		c.mu.Lock()
		c.lists++
		c.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

// run executes `chcloud service ARGS...` through the cobra tree, as a user would.
func run(env *clitest.Env, args ...string) error { return env.Execute(NewCommand(env.F), args...) }

func printed(err error) string { return clitest.Printed(err) }

func TestServiceCommandsTakeANameAndAUUIDCostsNoLookup(t *testing.T) {
	env := clitest.New(t, false)
	counter := &countingTransport{}
	env.F.HTTPClient = &http.Client{Transport: counter}
	web := create(t, env, "web", true)
	create(t, env, "etl", false)

	if err := run(env, "get", "web"); err != nil {
		t.Fatalf("service get web: %v", err)
	}
	var got struct{ ID, Name string }
	if env.DecodeOut(t, &got); got.ID != web.Service.ID {
		t.Fatalf("service get web printed %s, want %s", env.Out, web.Service.ID)
	}

	before := counter.lists
	if err := run(env, "get", web.Service.ID); err != nil {
		t.Fatal(err)
	}
	if counter.lists != before {
		t.Errorf("a UUID was looked up in the service list (%d list requests)", counter.lists-before)
	}

	for _, args := range [][]string{
		{"update", "web", "--add-tag", "team=data"},
		{"scale", "web", "--num-replicas", "2"},
		{"stop", "web", "--wait"},
		{"wait", "web", "--state", "stopped"},
		{"start", "web", "--wait"},
		{"query-endpoint", "get", "web"},
		{"query-endpoint", "enable", "web", "--key", "fake-admin-key"}, // --key takes a key's name too
	} {
		if err := run(env, args...); err != nil {
			t.Errorf("service %s: %v\n%s", strings.Join(args, " "), err, printed(err))
		}
	}
	if !strings.Contains(env.Out.String(), `"openApiKeys"`) || strings.Contains(env.Out.String(), `"fake-admin-key"`) {
		t.Errorf("query-endpoint enable --key NAME must send the key's UUID:\n%s", env.Out)
	}
	if err := run(env, "delete", "web", "--force", "--yes"); err != nil {
		t.Fatalf("service delete web --force: %v", err)
	}
	if err := run(env, "get", "web"); err == nil {
		t.Fatal("the deleted service is still found by name")
	}
}

func TestAmbiguousAndUnknownNames(t *testing.T) {
	env := clitest.New(t, false)
	a := create(t, env, "twin", false)
	b := create(t, env, "twin", false)
	create(t, env, "Analytics", false)

	err := run(env, "get", "twin")
	var amb *cmdutil.AmbiguousError
	if !errors.As(err, &amb) || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Fatalf("an ambiguous name: %v (exit %d), want exit 2", err, cmdutil.ExitCode(err))
	}
	msg := printed(err)
	for _, want := range []string{`2 services are named "twin"`, a.Service.ID, b.Service.ID, "twin  (provisioning)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the ambiguity error lacks %q:\n%s", want, msg)
		}
	}
	// A destructive command refuses just the same, before asking or sending anything.
	if err := run(env, "delete", "twin", "--force", "--yes"); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("delete of an ambiguous name: %v", err)
	}

	err = run(env, "get", "analytics")
	if cmdutil.ExitCode(err) != cmdutil.ExitError {
		t.Fatalf("an unknown name: %v (exit %d), want exit 1", err, cmdutil.ExitCode(err))
	}
	msg = printed(err)
	for _, want := range []string{`error: no service named "analytics"`, `did you mean "Analytics"`, "'chcloud service list' shows the names and IDs"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the unknown-name error lacks %q:\n%s", want, msg)
		}
	}
}

// On a terminal a service shows where to connect (its endpoints) and who may (its IP access
// list), under upper-case labels like the rest of the view.
func TestTerminalGetShowsEndpointsAndIPAccessList(t *testing.T) {
	env := clitest.New(t, true)
	ctx := t.Context()
	if err := RunCreate(ctx, &CreateOptions{F: env.F, Name: "shop", Provider: "aws", Region: "us-east-1",
		IPAllow: []string{"203.0.113.0/24"}, Wait: true}); err != nil {
		t.Fatal(err)
	}
	out := env.Out.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "HOST:  ") || !strings.HasSuffix(last, ".us-east-1.aws.clickhouse.cloud") {
		t.Errorf("create --wait on a terminal must end with the host to connect to; last line %q\n%s", last, out)
	}
	host := strings.TrimPrefix(last, "HOST:  ")

	if err := run(env, "get", "shop"); err != nil {
		t.Fatal(err)
	}
	out = env.Out.String()
	for _, want := range []string{"NAME:", "CLICKHOUSE VERSION:", "ENDPOINTS:\n  PROTOCOL", "nativesecure  " + host + "  9440",
		"https         " + host + "  8443", "IP ACCESS LIST:\n  SOURCE", "203.0.113.0/24"} {
		if !strings.Contains(out, want) {
			t.Errorf("service get on a terminal lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		label, _, ok := strings.Cut(line, ":")
		if ok && !strings.HasPrefix(line, " ") && label != strings.ToUpper(label) {
			t.Errorf("label %q is not in the view's upper-case style", label)
		}
	}
}

func complete(env *clitest.Env, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	cmd := NewCommand(env.F)
	cmd.SetArgs(append([]string{"__complete"}, args...))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestCompletionOffersServiceNamesAndIDs(t *testing.T) {
	env := clitest.New(t, false)
	web := create(t, env, "web", false)
	create(t, env, "etl", false)

	out, _, err := complete(env, "get", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"web\t" + web.Service.ID, web.Service.ID + "\tweb", "etl\t", ":4\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("completion of 'service get' lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = complete(env, "delete", "w")
	if !strings.Contains(out, "web\t") || strings.Contains(out, "etl") {
		t.Errorf("completion of 'w' must offer only what starts with it:\n%s", out)
	}
	out, _, _ = complete(env, "get", "web", "")
	if strings.Contains(out, "web") {
		t.Errorf("a second argument must not be completed:\n%s", out)
	}
}

// A completion that cannot reach the API, or is refused by it, completes nothing and says
// nothing, and never holds the shell longer than its timeout.
func TestCompletionIsSilentAndBounded(t *testing.T) {
	env := clitest.New(t, false)
	create(t, env, "web", false)
	env.F.Flags.APISecret = "wrong"
	env.F.ResetClient()
	out, errOut, err := complete(env, "get", "")
	if err != nil || strings.Contains(out, "web") || strings.Contains(errOut, "error") || strings.Contains(errOut, "UNAUTHORIZED") {
		t.Errorf("refused completion: err %v, out %q, stderr %q", err, out, errOut)
	}

	hang := make(chan struct{})
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer stuck.Close()
	defer close(hang)
	old := cmdutil.CompletionTimeout
	cmdutil.CompletionTimeout = 300 * time.Millisecond
	defer func() { cmdutil.CompletionTimeout = old }()
	hung := clitest.New(t, false)
	hung.F.Flags.APIURL = stuck.URL
	start := time.Now()
	out, errOut, err = complete(hung, "get", "")
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("completion against a hung server took %s", elapsed)
	}
	if err != nil || strings.Contains(out, "\t") || strings.Contains(errOut, "error") {
		t.Errorf("hung completion: err %v, out %q, stderr %q", err, out, errOut)
	}
}
