package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// binary is chcloud built once for the end-to-end tests and the start-up benchmarks.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chcloud-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "chcloud")
	goTool, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintln(os.Stderr, "the end-to-end tests build chcloud and need the go command:", err)
		os.Exit(1)
	}
	build := releaseBuild(goTool, binary, "github.com/chcloud-dev/chcloud/cmd/chcloud")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building chcloud:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// releaseBuild is `go build` of pkg into out as the release binaries and `make install` build
// chcloud: without cgo, so a static binary that starts without the dynamic loader. The tests and
// the start-up benchmark then run what users run, whether or not this machine has a C compiler.
func releaseBuild(goTool, out, pkg string) *exec.Cmd {
	build := exec.Command(goTool, "build", "-o", out, pkg)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	return build
}

// fake is a `chcloud mock serve` process and the environment that points chcloud at it.
type fake struct {
	cmd *exec.Cmd
	env []string
	// orgEnv is the CLICKHOUSE_ORG_ID=... line mock serve printed; env leaves it out so that
	// chcloud must find the organization from the key, as it does before `auth login` saved it.
	orgEnv string
}

// startFake runs `chcloud mock serve` on a free port with short delays and reads the URL and
// credentials it prints.
func startFake(t testing.TB, flags ...string) *fake {
	t.Helper()
	args := append([]string{"mock", "serve", "--addr", "127.0.0.1:0", "--rate-limit", "0",
		"--provisioning-delay", "150ms", "--transition-delay", "50ms", "--delete-cooldown", "50ms"}, flags...)
	cmd := exec.Command(binary, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f := &fake{cmd: cmd, env: []string{"XDG_CONFIG_HOME=" + t.TempDir(), "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	vars := map[string]bool{}
	lines := bufio.NewScanner(stdout)
	for len(vars) < 4 && lines.Scan() {
		kv, ok := strings.CutPrefix(lines.Text(), "export ")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(kv, "=")
		vars[name] = true
		if name == "CLICKHOUSE_ORG_ID" {
			f.orgEnv = kv
		} else {
			f.env = append(f.env, kv)
		}
	}
	if len(vars) != 4 {
		t.Fatalf("mock serve did not print the URL, credentials and organization (got %v)", vars)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return f
}

type result struct {
	code           int
	stdout, stderr string
}

// run executes chcloud with the fake's environment plus extra variables.
func (f *fake) run(t *testing.T, extraEnv []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"--poll-interval", "20ms", "--timeout", "20s"}, args...)...)
	cmd.Env = append(append([]string(nil), f.env...), extraEnv...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running chcloud %v: %v", args, err)
	}
	r := result{code, out.String(), errOut.String()}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
		t.Fatalf("chcloud %v crashed:\n%s", args, r.stderr)
	}
	return r
}

func (f *fake) ok(t *testing.T, args ...string) result {
	t.Helper()
	r := f.run(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("chcloud %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

func TestEndToEndLifecycle(t *testing.T) {
	f := startFake(t)

	// service create --wait: JSON (stdout is not a terminal) with the running service and password.
	r := f.ok(t, "service", "create", "--name", "e2e", "--provider", "aws", "--region", "us-east-1", "--ip-allow", "10.0.0.0/8", "--wait")
	var created struct {
		Service  struct{ ID, State string }
		Password string
	}
	if err := json.Unmarshal([]byte(r.stdout), &created); err != nil {
		t.Fatalf("service create output: %v\n%s", err, r.stdout)
	}
	if created.Service.State != "running" || created.Password == "" {
		t.Fatalf("service create --wait = %+v", created)
	}
	if !strings.Contains(r.stderr, "service "+created.Service.ID+": running") {
		t.Errorf("no progress line on stderr: %q", r.stderr)
	}
	id := created.Service.ID

	r = f.ok(t, "service", "list", "--output", "table")
	if !strings.HasPrefix(r.stdout, "ID") || !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "running") {
		t.Errorf("service list table:\n%s", r.stdout)
	}
	r = f.ok(t, "service", "list", "--jq", `.[] | select(.name == "e2e") | .id`)
	if strings.TrimSpace(r.stdout) != id {
		t.Errorf("service list --jq = %q, want %s", r.stdout, id)
	}

	r = f.ok(t, "service", "stop", id, "--wait")
	if !strings.Contains(r.stdout, `"state": "stopped"`) {
		t.Errorf("stop --wait:\n%s", r.stdout)
	}
	f.ok(t, "service", "delete", id, "--wait", "--yes")
	r = f.run(t, nil, "service", "get", id)
	if r.code != 1 || !strings.Contains(r.stderr, "error: NOT_FOUND") {
		t.Errorf("get after delete: exit %d, %q", r.code, r.stderr)
	}

	// key create shows the secret once; nothing else ever shows it.
	r = f.ok(t, "key", "create", "--name", "e2e-key", "--role", "developer", "--expires", "30d")
	var key struct {
		KeyID, KeySecret string
		Key              struct{ ID string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &key); err != nil || key.KeySecret == "" {
		t.Fatalf("key create: %v\n%s", err, r.stdout)
	}
	for _, args := range [][]string{{"key", "list"}, {"key", "list", "-o", "table"}, {"key", "get", key.Key.ID}} {
		if out := f.ok(t, args...); strings.Contains(out.stdout+out.stderr, key.KeySecret) {
			t.Errorf("chcloud %v showed the key secret", args)
		}
	}
	// The new key works (org looked up from it) and can delete nothing of its own accord.
	r = f.run(t, []string{"CLICKHOUSE_CLOUD_API_KEY=" + key.KeyID, "CLICKHOUSE_CLOUD_API_SECRET=" + key.KeySecret}, "org", "get")
	if r.code != 0 {
		t.Errorf("org get with the new key: exit %d %s", r.code, r.stderr)
	}
	f.ok(t, "key", "delete", key.Key.ID, "--yes")
	r = f.run(t, []string{"CLICKHOUSE_CLOUD_API_KEY=" + key.KeyID, "CLICKHOUSE_CLOUD_API_SECRET=" + key.KeySecret}, "org", "get")
	if r.code != 4 {
		t.Errorf("a deleted key must be refused with exit 4, got %d %s", r.code, r.stderr)
	}

	// api reaches operations no curated command covers.
	r = f.ok(t, "api", "organizationQuotasGetList")
	if !strings.Contains(r.stdout, `"result"`) {
		t.Errorf("api organizationQuotasGetList:\n%s", r.stdout)
	}
	r = f.ok(t, "api", "GET", "/v1/organizations/{organizationId}/creditBalances", "--jq", ".status")
	if strings.TrimSpace(r.stdout) != "200" {
		t.Errorf("api GET creditBalances --jq .status = %q", r.stdout)
	}
}

func TestEndToEndBadInput(t *testing.T) {
	f := startFake(t)
	cases := []struct {
		name   string
		env    []string
		args   []string
		code   int
		stderr string
	}{
		{"unknown flag", nil, []string{"service", "list", "--bogus"}, 2, "unknown flag: --bogus"},
		{"unknown command", nil, []string{"servise", "list"}, 2, `unknown command "servise"`},
		{"unknown subcommand", nil, []string{"service", "explode"}, 2, `unknown command "explode"`},
		{"missing argument", nil, []string{"service", "get"}, 2, "missing SERVICE"},
		{"unknown service name", nil, []string{"service", "get", "my-service"}, 1, `no service named "my-service"`},
		{"missing required flag", nil, []string{"service", "create", "--name", "x"}, 2, "required flag"},
		{"body violates the spec", nil, []string{"api", "instanceCreate", "-f", "name=x", "-f", "provider=ibm", "-f", "region=us-east-1"}, 2, `field "/provider"`},
		{"bad output format", nil, []string{"service", "list", "-o", "xml"}, 2, "invalid --output"},
		{"bad jq", nil, []string{"service", "list", "--jq", ".[["}, 2, "invalid --jq"},
		{"missing credentials", []string{"CLICKHOUSE_CLOUD_API_KEY=", "CLICKHOUSE_CLOUD_API_SECRET="}, []string{"service", "list"}, 4, "CLICKHOUSE_CLOUD_API_KEY"},
		{"bad API URL", []string{"CLICKHOUSE_API_URL=ftp://example.com"}, []string{"service", "list"}, 2, "not an http(s) URL"},
		{"wrong secret", []string{"CLICKHOUSE_CLOUD_API_SECRET=wrong"}, []string{"service", "list"}, 4, "error: UNAUTHORIZED"},
		{"unknown key", nil, []string{"key", "delete", "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53"}, 1, "error: NOT_FOUND"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.run(t, c.env, c.args...)
			if r.code != c.code || !strings.Contains(r.stderr, c.stderr) {
				t.Errorf("chcloud %v: exit %d, stderr %q; want exit %d and %q", c.args, r.code, r.stderr, c.code, c.stderr)
			}
			if c.code != 0 && !strings.HasPrefix(r.stderr, "error: ") {
				t.Errorf("stderr should start with 'error: ': %q", r.stderr)
			}
		})
	}
}

// Ctrl-C during a wait stops waiting, says what is still in progress, and keeps what the user
// must not lose (the new service's password).
func TestEndToEndInterruptedWait(t *testing.T) {
	f := startFake(t, "--provisioning-delay", "1h")
	cmd := exec.Command(binary, "--poll-interval", "20ms", "service", "create", "--name", "slow", "--provider", "aws", "--region", "us-east-1", "--wait")
	cmd.Env = f.env
	var out bytes.Buffer
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	var errText strings.Builder
	for lines.Scan() {
		errText.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), ": provisioning (") {
			break // the wait is under way
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stderr)
	errText.Write(rest)
	err = cmd.Wait()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 1 {
		t.Fatalf("interrupted wait: %v, want exit 1\n%s", err, errText.String())
	}
	if !strings.Contains(errText.String(), "stopped waiting") || !strings.Contains(errText.String(), "still provisioning on the server") {
		t.Errorf("stderr does not say what is in progress:\n%s", errText.String())
	}
	if !strings.Contains(out.String(), `"password"`) {
		t.Errorf("the password was lost:\n%s", out.String())
	}
}

// BenchmarkStartup times whole processes side by side in one run: a Go hello world and an
// SDK-only program as baselines, then chcloud's `version`, `--help` and a plain `service list`
// against a `mock serve` process (a loopback round trip included, as a user would see it). All
// are built as releases are (releaseBuild). Compare the medians of -count runs; the figures are
// in the README.
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	baselines := map[string]string{}
	for _, name := range []string{"hello", "sdkonly"} {
		out := filepath.Join(dir, name)
		build := releaseBuild("go", out, "./testdata/startup/"+name)
		if msg, err := build.CombinedOutput(); err != nil {
			b.Fatalf("building the %s baseline: %v\n%s", name, err, msg)
		}
		baselines[name] = out
	}
	fake := startFake(b)
	loggedIn := append(fake.env, fake.orgEnv) // as after `auth login`, which saves the organization
	type startupCase struct {
		name      string
		argv, env []string
	}
	cases := []startupCase{
		{"baseline-hello", []string{baselines["hello"]}, nil},
		{"baseline-sdkonly-version", []string{baselines["sdkonly"], "version"}, nil},
	}
	// CHCLOUD_STARTUP_COMPARE names another chcloud binary (an older build) to time in the same
	// run, for before/after figures.
	programs := [][2]string{{"chcloud", binary}}
	if other := os.Getenv("CHCLOUD_STARTUP_COMPARE"); other != "" {
		programs = append(programs, [2]string{"compare", other})
	}
	for _, p := range programs {
		name, bin := p[0], p[1]
		cases = append(cases, startupCase{name + "-version", []string{bin, "version"}, nil},
			startupCase{name + "-help", []string{bin, "--help"}, nil},
			startupCase{name + "-service-list", []string{bin, "service", "list"}, loggedIn})
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cmd := exec.Command(c.argv[0], c.argv[1:]...)
				if c.env != nil {
					cmd.Env = c.env
				}
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %v\n%s", c.argv, err, out)
				}
			}
		})
	}
}
