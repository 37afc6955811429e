package cmdutil_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/config"
)

// listOrgs makes n calls; against a server allowing one request per window, each after the
// first waits for the window's reset.
func listOrgs(t *testing.T, env *clitest.Env, n int) {
	t.Helper()
	c, err := env.F.Client()
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		resp, err := c.OrganizationGetListWithResponse(t.Context())
		if err != nil || resp.StatusCode() != 200 {
			t.Fatalf("list: %v (%v)", err, resp)
		}
	}
}

// sgr matches a colour or style escape sequence.
var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// A wait of 2 s or more for the rate limit shows one line on a terminal; piped, stderr gets
// nothing unless --debug asked for it.
func TestRateLimitWaitLine(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a 2.5 s rate limit window")
	}
	for _, tc := range []struct {
		name      string
		tty       bool
		debug     bool
		wantLine  bool
		wantClear bool
	}{
		{name: "terminal", tty: true, wantLine: true, wantClear: true},
		{name: "piped", tty: false},
		{name: "piped with --debug", debug: true, wantLine: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := clitest.New(t, false, cloudtest.WithRateLimit(1, 2500*time.Millisecond))
			env.F.IOStreams.SetStderrTTY(tc.tty) // the fake terminal: only stderr matters here
			env.F.Debug = tc.debug
			listOrgs(t, env, 2)
			stderr := env.ErrOut.String()
			t.Logf("stderr: %q", stderr)
			n := strings.Count(stderr, "rate limited: waiting ")
			switch {
			case tc.wantLine && n != 1:
				t.Errorf("%d wait lines on stderr, want 1:\n%s", n, stderr)
			case tc.wantLine && !strings.Contains(stderr, ", attempt 2 of 5\n"):
				t.Errorf("the line does not say which attempt follows:\n%s", stderr)
			case !tc.wantLine && stderr != "":
				t.Errorf("piped stderr got %q, want nothing", stderr)
			}
			if got := strings.Contains(stderr, "\r\033[K"); got != tc.wantClear {
				t.Errorf("line clearing = %v, want %v (terminal only): %q", got, tc.wantClear, stderr)
			}
			if sgr.MatchString(stderr) {
				t.Errorf("the line is coloured: %q", stderr) // chcloud colours nothing (NO_COLOR holds trivially)
			}
			if strings.Contains(stderr, env.Server.KeySecret) {
				t.Error("stderr shows the key secret")
			}
		})
	}
}

// --request-timeout (and its environment variable) bound each attempt: a GET whose first answer
// hangs is retried at once instead of waiting for the server.
func TestRequestTimeout(t *testing.T) {
	env := clitest.New(t, false, cloudtest.WithFault("organizationGetList", cloudtest.Fault{Delay: 5 * time.Second, Times: 1}))
	env.F.Flags.RequestTimeout = "200ms"
	start := time.Now()
	listOrgs(t, env, 1)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %s: the hung attempt was not abandoned", took)
	}

	bad := clitest.New(t, false)
	bad.Vars["CHCLOUD_REQUEST_TIMEOUT"] = "soon"
	_, err := bad.F.Client()
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), "CHCLOUD_REQUEST_TIMEOUT") {
		t.Errorf("a malformed CHCLOUD_REQUEST_TIMEOUT: %v, want a usage error naming it", err)
	}
}

// http:// to another machine is refused (exit 2, with the way out), unless allowed; loopback is
// fine.
func TestInsecureHTTP(t *testing.T) {
	env := clitest.New(t, false)
	env.F.Flags.APIURL = "http://someone:pa55word@api.example.com"
	_, err := env.F.Client()
	var printed strings.Builder
	cmdutil.PrintError(&printed, err)
	msg := printed.String()
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !errors.As(err, new(*cmdutil.Error)) ||
		!strings.Contains(msg, "--allow-insecure-http") || !strings.Contains(msg, "flag --api-url") {
		t.Errorf("http:// to another host: exit %d, %s", cmdutil.ExitCode(err), msg)
	}
	if strings.Contains(msg, "pa55word") || strings.Contains(msg, "someone") {
		t.Errorf("the error shows the URL's user info: %s", msg)
	}

	for name, allow := range map[string]func(*clitest.Env){
		"flag":    func(e *clitest.Env) { e.F.Flags.AllowInsecureHTTP = true },
		"env":     func(e *clitest.Env) { e.Vars["CHCLOUD_ALLOW_INSECURE_HTTP"] = "1" },
		"profile": func(*clitest.Env) {}, // written below
	} {
		t.Run(name, func(t *testing.T) {
			e := clitest.New(t, false)
			e.F.Flags.APIURL = "http://api.example.com"
			if name == "profile" {
				e.F.CreatesProfile = true
				r, err := e.F.Config()
				if err != nil {
					t.Fatal(err)
				}
				p := r.File.Profiles["default"]
				if err := p.Set("allow-insecure-http", "true"); err != nil {
					t.Fatal(err)
				}
				r.File.Profiles = map[string]config.Profile{"default": p}
				if err := r.File.Save(r.Path); err != nil {
					t.Fatal(err)
				}
				e.F.ResetClient()
			}
			allow(e)
			if _, err := e.F.Client(); err != nil {
				t.Errorf("allowed by %s: %v", name, err)
			}
		})
	}

	local := clitest.New(t, false) // the fake server is on 127.0.0.1 over http://
	if _, err := local.F.Client(); err != nil {
		t.Errorf("loopback over http://: %v", err)
	}
}
