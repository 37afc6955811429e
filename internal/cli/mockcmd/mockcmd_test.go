package mockcmd

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeStartsAnswersAndStopsOnCancel runs `mock serve` on a free port, reads the URL and
// credentials it prints, calls the API with them, then cancels the command's context.
func TestServeStartsAnswersAndStopsOnCancel(t *testing.T) {
	cmd := NewCommand()
	pr, pw := io.Pipe()
	cmd.SetOut(pw)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"serve", "--addr", "127.0.0.1:0", "--rate-limit", "2", "--seed", "5"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- cmd.ExecuteContext(ctx)
		pw.Close()
	}()

	vars := map[string]string{}
	sc := bufio.NewScanner(pr)
	for len(vars) < 4 && sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok && strings.HasPrefix(sc.Text(), "export ") {
			vars[k] = v
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	url := vars["CLICKHOUSE_API_URL"]
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("printed URL %q", url)
	}

	get := func() *http.Response {
		req, _ := http.NewRequest("GET", url+"/v1/organizations/"+vars["CLICKHOUSE_ORG_ID"], nil)
		req.SetBasicAuth(vars["CLICKHOUSE_CLOUD_API_KEY"], vars["CLICKHOUSE_CLOUD_API_SECRET"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get(); resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Limit") != "2" || resp.Header.Get("X-Chcloud-Fake") == "" {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	get()
	if resp := get(); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third request in the window: status %d, want 429", resp.StatusCode)
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

func TestServeRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--rate-limit", "-1"},
		{"serve", "--fault-rate", "2"},
	} {
		cmd := NewCommand()
		cmd.SetArgs(args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.ExecuteContext(context.Background())
		var coded interface{ ExitCode() int }
		if !errors.As(err, &coded) || coded.ExitCode() != 2 {
			t.Errorf("%v: error %v, want a usage error with exit code 2", args, err)
		}
	}
}

func TestServeFailsWhenAddressIsTaken(t *testing.T) {
	cmd := NewCommand()
	cmd.SetArgs([]string{"serve", "--addr", "256.0.0.1:1"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.ExecuteContext(context.Background()); err == nil || !strings.Contains(err.Error(), "listening") {
		t.Errorf("error %v, want a listening error", err)
	}
}

// TestServeStopsOnSIGINT sends the process an interrupt once the server runs: serve must
// catch it, shut down and return without error.
func TestServeStopsOnSIGINT(t *testing.T) {
	cmd := NewCommand()
	pr, pw := io.Pipe()
	cmd.SetOut(pw)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"serve", "--addr", "127.0.0.1:0"})
	done := make(chan error, 1)
	go func() {
		done <- cmd.ExecuteContext(context.Background())
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
