package mockcmd

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/iostreams"
)

// serve runs `mock serve` with args on a free port and returns the variables it prints (URL and
// credentials), the other lines it printed before them, and what the command returned.
func serve(t *testing.T, ctx context.Context, args ...string) (vars map[string]string, lines []string, done <-chan error) {
	t.Helper()
	pr, pw := io.Pipe()
	cmd := newCommand(pw)
	cmd.SetArgs(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
	errs := make(chan error, 1)
	go func() {
		errs <- cmd.ExecuteContext(ctx)
		pw.Close()
	}()
	vars = map[string]string{}
	sc := bufio.NewScanner(pr)
	for len(vars) < 4 && sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok && strings.HasPrefix(sc.Text(), "export ") {
			vars[k] = v
		} else {
			lines = append(lines, sc.Text())
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if !strings.HasPrefix(vars["CLICKHOUSE_API_URL"], "http://127.0.0.1:") {
		t.Fatalf("printed URL %q", vars["CLICKHOUSE_API_URL"])
	}
	return vars, lines, errs
}

// TestServeStartsAnswersAndStopsOnCancel runs `mock serve` on a free port, reads the URL and
// credentials it prints, calls the API with them, then cancels the command's context.
func TestServeStartsAnswersAndStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	vars, lines, done := serve(t, ctx, "--rate-limit", "2", "--seed", "5")
	url := vars["CLICKHOUSE_API_URL"]
	if !strings.Contains(strings.Join(lines, "\n"), "Quirks of the real API: on") {
		t.Errorf("quirks are on by default, and serve says so: %q", lines)
	}

	var lastBody string
	get := func() *http.Response {
		req, _ := http.NewRequest("GET", url+"/v1/organizations/"+vars["CLICKHOUSE_ORG_ID"], nil)
		req.SetBasicAuth(vars["CLICKHOUSE_CLOUD_API_KEY"], vars["CLICKHOUSE_CLOUD_API_SECRET"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		lastBody = string(raw)
		return resp
	}
	if resp := get(); resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Limit") != "2" || resp.Header.Get("X-Chcloud-Fake") == "" {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	get()
	if resp := get(); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third request in the window: status %d, want 429", resp.StatusCode)
	}
	if body := lastBody; body != `{"error":"TOO_MANY_REQUESTS"}` {
		t.Errorf("429 body %s, want the real API's bare one (quirks on by default)", body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after its context was cancelled")
	}
	if _, err := http.Get(url + "/v1"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

// TestServeNoQuirks: --no-quirks serves the fake that answers as the document says, e.g. a
// DELETE of a ClickPipe with {"status","requestId"} instead of the real API's empty body.
func TestServeNoQuirks(t *testing.T) {
	for _, c := range []struct {
		args  []string
		says  string
		empty bool
	}{
		{nil, "Quirks of the real API: on", true},
		{[]string{"--no-quirks"}, "Quirks of the real API: off", false},
	} {
		ctx, cancel := context.WithCancel(t.Context())
		vars, lines, done := serve(t, ctx, append([]string{"--rate-limit", "0", "--provisioning-delay", "0"}, c.args...)...)
		if !strings.Contains(strings.Join(lines, "\n"), c.says) {
			t.Errorf("%v: printed %q, want %q", c.args, lines, c.says)
		}
		do := func(method, path, body string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, vars["CLICKHOUSE_API_URL"]+"/v1/organizations/"+vars["CLICKHOUSE_ORG_ID"]+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.SetBasicAuth(vars["CLICKHOUSE_CLOUD_API_KEY"], vars["CLICKHOUSE_CLOUD_API_SECRET"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(raw)
		}
		status, raw := do("POST", "/services", `{"name":"q","provider":"aws","region":"us-east-1","idleScaling":false}`)
		var created struct {
			Result struct{ Service struct{ ID string } }
		}
		if err := json.Unmarshal([]byte(raw), &created); status != 200 || err != nil {
			t.Fatalf("%v: create service: %d %s", c.args, status, raw)
		}
		svc := "/services/" + created.Result.Service.ID
		status, raw = do("POST", svc+"/clickpipes", `{"name":"p"}`)
		var pipe struct{ Result struct{ ID string } }
		if err := json.Unmarshal([]byte(raw), &pipe); status != 200 || err != nil {
			t.Fatalf("%v: create pipe: %d %s", c.args, status, raw)
		}
		status, raw = do("DELETE", svc+"/clickpipes/"+pipe.Result.ID, "")
		if status != 200 || (raw == "") != c.empty {
			t.Errorf("%v: DELETE of a pipe: %d %q", c.args, status, raw)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%v: serve returned %v", c.args, err)
		}
	}
}

func TestServeRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--rate-limit", "-1"},
		{"serve", "--fault-rate", "2"},
	} {
		cmd := newCommand(io.Discard)
		cmd.SetArgs(args)
		err := cmd.ExecuteContext(t.Context())
		if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
			t.Errorf("%v: error %v, want a usage error with exit code 2", args, err)
		}
	}
}

// runServeErr runs `mock serve` with args and returns its error, expecting it to fail at once.
func runServeErr(t *testing.T, args ...string) error {
	t.Helper()
	cmd := newCommand(io.Discard)
	cmd.SetArgs(append([]string{"serve"}, args...))
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(t.Context()) }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("serve %v did not fail", args)
		return nil
	}
}

// TestServeOnAPortInUse: a port another process holds is a runtime error (exit 1, as the CLI's
// other runtime errors) that says the port is taken and how to serve anyway; the CLI prints it
// without the client-side "could not reach the server" hint.
func TestServeOnAPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	err = runServeErr(t, "--addr", addr)
	if err == nil {
		t.Fatal("serve on a taken port succeeded")
	}
	if got := cmdutil.ExitCode(err); got != cmdutil.ExitError {
		t.Errorf("exit code %d, want %d", got, cmdutil.ExitError)
	}
	var printed strings.Builder
	cmdutil.PrintError(&printed, err)
	out := printed.String()
	for _, want := range []string{
		"error: mock serve: " + addr + " is already in use",
		"hint: serve on another port with --addr 127.0.0.1:",
		"--addr 127.0.0.1:0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("printed %q, want %q", out, want)
		}
	}
	if strings.Contains(out, "could not reach") || strings.Contains(out, "bind:") {
		t.Errorf("printed %q: client hints or socket jargon", out)
	}
	if p, _ := strconv.Atoi(port); p < 65535 && !strings.Contains(out, "--addr 127.0.0.1:"+strconv.Itoa(p+1)) {
		t.Errorf("printed %q, want the next port suggested", out)
	}
}

// TestServeOnABadAddress: an --addr that is not host:port, has no numeric port, or names a host
// that is not this machine's is bad input (exit 2) with an example of a good one.
func TestServeOnABadAddress(t *testing.T) {
	for _, c := range []struct{ addr, says string }{
		{"8124", "is not host:port"},
		{"127.0.0.1:http-ish", "the port must be a number"},
		{"127.0.0.1:70000", "the port must be a number"},
		{"256.0.0.1:1", "is not an address of this machine"},
		{"192.0.2.1:0", "is not an address of this machine"}, // TEST-NET-1: never a local address
	} {
		err := runServeErr(t, "--addr", c.addr)
		if got := cmdutil.ExitCode(err); got != cmdutil.ExitUsage || err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("--addr %s: exit %d, error %v; want %d and %q", c.addr, got, err, cmdutil.ExitUsage, c.says)
			continue
		}
		var printed strings.Builder
		cmdutil.PrintError(&printed, err)
		if !strings.Contains(printed.String(), "hint: ") || !strings.Contains(printed.String(), "127.0.0.1:0") {
			t.Errorf("--addr %s: printed %q, want a hint with an example", c.addr, printed.String())
		}
	}
}

// TestServeStopsOnSIGINT sends the process an interrupt once the server runs: serve must
// catch it, shut down and return without error.
func TestServeStopsOnSIGINT(t *testing.T) {
	pr, pw := io.Pipe()
	cmd := newCommand(pw)
	cmd.SetArgs([]string{"serve", "--addr", "127.0.0.1:0"})
	done := make(chan error, 1)
	go func() {
		done <- cmd.ExecuteContext(t.Context())
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	started := false
	for !started && sc.Scan() {
		started = strings.HasPrefix(sc.Text(), "export CLICKHOUSE_ORG_ID=")
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if !started {
		t.Fatal("serve did not print its credentials")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop on SIGINT")
	}
}

// newCommand is `chcloud mock` built from a Factory whose standard output is out, as the CLI
// builds it.
func newCommand(out io.Writer) *cobra.Command {
	ios := &iostreams.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: io.Discard}
	cmd := NewCommand(&cmdutil.Factory{IOStreams: ios})
	cmd.SetOut(out) // cobra's own help and usage
	cmd.SetErr(io.Discard)
	return cmd
}
