// Package clitest sets up what the CLI's tests share: a fake API server (package cloudtest) and a
// Factory wired to it with fake streams that pretend to be, or not to be, a terminal; a way to run
// a noun's subcommands as users do (Env.Runner), and the checks tests repeat (DecodeOut, WantUsage).
package clitest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/iostreams"
)

// Env is one test's world: the server, the factory and the captured streams.
type Env struct {
	Server *cloudtest.Server
	F      *cmdutil.Factory
	In     *bytes.Buffer
	Out    *bytes.Buffer
	ErrOut *bytes.Buffer
	// Vars are the environment variables the factory sees (XDG_CONFIG_HOME is a temp dir).
	Vars map[string]string
}

// New starts a fake server with fast state transitions and returns a factory using its admin
// key through flags. tty makes all three streams terminals.
func New(t testing.TB, tty bool, opts ...cloudtest.Option) *Env {
	t.Helper()
	opts = append([]cloudtest.Option{
		cloudtest.WithProvisioningDelay(20 * time.Millisecond),
		cloudtest.WithTransitionDelay(10 * time.Millisecond),
		cloudtest.WithDeleteCooldown(10 * time.Millisecond),
	}, opts...)
	srv := cloudtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	env := NewOffline(t, tty)
	env.Server = srv
	env.F.Flags.APIKey = srv.KeyID
	env.F.Flags.APISecret = srv.KeySecret
	env.F.Flags.APIURL = srv.URL
	return env
}

// NewOffline returns a factory with no server and no credentials.
func NewOffline(t testing.TB, tty bool) *Env {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	ios.SetTTY(tty)
	vars := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "HOME": t.TempDir()}
	f := &cmdutil.Factory{
		IOStreams:    ios,
		Getenv:       func(k string) string { return vars[k] },
		Timeout:      10 * time.Second,
		PollInterval: 5 * time.Millisecond,
	}
	return &Env{F: f, In: in, Out: out, ErrOut: errOut, Vars: vars}
}

// ConfigPath is the config file the factory's commands read and write (config.Path under the
// test's XDG_CONFIG_HOME).
func (e *Env) ConfigPath() string {
	return filepath.Join(e.Vars["XDG_CONFIG_HOME"], "chcloud", "config.yaml")
}

// Execute runs cmd with args through cobra, as a user would, after clearing the captured
// output; errors are returned, not printed.
func (e *Env) Execute(cmd *cobra.Command, args ...string) error {
	e.Out.Reset()
	e.ErrOut.Reset()
	cmd.SetArgs(args)
	cmd.SetOut(e.Out)
	cmd.SetErr(e.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.ExecuteContext(context.Background())
}

// Runner returns a function that runs the command newCmd builds (a noun such as `member`) with
// args, as Execute does: the tests of a noun run its subcommands the way users do.
func (e *Env) Runner(newCmd func(*cmdutil.Factory) *cobra.Command) func(args ...string) error {
	return func(args ...string) error { return e.Execute(newCmd(e.F), args...) }
}

// DecodeOut decodes what the command printed, as JSON, into v; output that is not is fatal.
func (e *Env) DecodeOut(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(e.Out.Bytes(), v); err != nil {
		t.Fatalf("output is not the JSON expected (%v):\n%s", err, e.Out)
	}
}

// WriteFile writes content to a new file name in a temporary directory and returns its path.
func WriteFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// WantUsage checks that each named error is a usage error (exit code 2).
func WantUsage(t testing.TB, errs map[string]error) {
	t.Helper()
	for name, err := range errs {
		if code := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
			t.Errorf("%s: %v (exit %d), want a usage error", name, err, code)
		}
	}
}

// WantUsageSaying checks that err is a usage error whose message says every want and no not.
func WantUsageSaying(t testing.TB, name string, err error, want, not []string) {
	t.Helper()
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Fatalf("%s: %v, want a usage error", name, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q lacks %q", name, err, w)
		}
	}
	for _, n := range not {
		if strings.Contains(err.Error(), n) {
			t.Errorf("%s: error %q mentions %q", name, err, n)
		}
	}
}

// Printed is err as the CLI prints it (error line and hints).
func Printed(err error) string {
	var b bytes.Buffer
	cmdutil.PrintError(&b, err)
	return b.String()
}
