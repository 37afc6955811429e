package cmdutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/internal/cli/iostreams"
)

func TestExitCodes(t *testing.T) {
	apiErr := func(status int) error {
		return fmt.Errorf("doing it: %w", cloud.ParseAPIError(status, nil, []byte(`{"status":1,"requestId":"r-1","error":"CODE: message"}`)))
	}
	for want, errs := range map[int][]error{
		ExitOK:    {nil, fmt.Errorf("wrapped: %w", errDryRun)},
		ExitError: {errors.New("boom"), apiErr(http.StatusConflict), apiErr(http.StatusInternalServerError), apiErr(http.StatusForbidden), ErrCancelled},
		ExitUsage: {UsageErrorf("bad"), errors.New(`unknown command "x" for "chcloud"`), errors.New("unknown flag: --x"), WithHint(UsageErrorf("bad"), "h")},
		ExitAuth:  {AuthErrorf("no key"), apiErr(http.StatusUnauthorized)},
	} {
		for _, err := range errs {
			if got := ExitCode(err); got != want {
				t.Errorf("ExitCode(%v) = %d, want %d", err, got, want)
			}
		}
	}
}

func TestPrintError(t *testing.T) {
	var b bytes.Buffer
	conflict := cloud.ParseAPIError(409, nil, []byte(`{"status":409,"requestId":"req-9","error":"CONFLICT: not stopped"}`))
	PrintError(&b, WithHint(fmt.Errorf("deleting: %w", conflict), "stop it first"))
	want := "error: CONFLICT: not stopped (status 409, request id req-9)\nhint: stop it first\n"
	if b.String() != want {
		t.Errorf("PrintError = %q, want %q", b.String(), want)
	}
	b.Reset()
	PrintError(&b, cloud.ParseAPIError(401, nil, []byte(`{"error":"UNAUTHORIZED: bad key"}`)))
	if !strings.Contains(b.String(), "CLICKHOUSE_CLOUD_API_KEY") {
		t.Errorf("401 without a hint about the variables: %q", b.String())
	}
	b.Reset()
	retried := cloud.ParseAPIError(429, nil, []byte(`{"error":"TOO_MANY_REQUESTS"}`))
	retried.Attempts = 5
	PrintError(&b, retried)
	if !strings.Contains(b.String(), "retried 4 times") {
		t.Errorf("429 hint after five attempts: %q", b.String())
	}
	b.Reset()
	PrintError(&b, cloud.ParseAPIError(429, nil, []byte(`{"error":"TOO_MANY_REQUESTS"}`)))
	if strings.Contains(b.String(), "retried") || !strings.Contains(b.String(), "10 requests per 10 seconds") {
		t.Errorf("429 hint without retries: %q", b.String())
	}
	b.Reset()
	refused := &url.Error{Op: "Get", URL: "http://127.0.0.1:1/v1", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	PrintError(&b, fmt.Errorf("listing services: %w", refused))
	if !strings.Contains(b.String(), "hint: chcloud could not reach 127.0.0.1:1") {
		t.Errorf("network error without a hint: %q", b.String())
	}
	b.Reset()
	_, fileErr := os.Open(filepath.Join(t.TempDir(), "missing.json"))
	PrintError(&b, fmt.Errorf("reading the document: %w", fileErr))
	if strings.Contains(b.String(), "hint:") {
		t.Errorf("a missing file got a network hint: %q", b.String())
	}
}

func TestFormatRequestRedacts(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "Basic c2VjcmV0")
	h.Set("Content-Type", "application/json")
	out := FormatRequest("POST", "https://api.example/v1/x", h, []byte(`{"name":"n","password":"hunter2","nested":{"keySecret":"s3"}}`))
	if strings.Contains(out, "hunter2") || strings.Contains(out, "s3\"") || strings.Contains(out, "c2VjcmV0") {
		t.Errorf("secrets leaked:\n%s", out)
	}
	if !strings.HasPrefix(out, "POST https://api.example/v1/x\n") || !strings.Contains(out, `"name": "n"`) {
		t.Errorf("request not shown:\n%s", out)
	}
}

func TestProgress(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	f := &Factory{IOStreams: ios}
	p := f.NewProgress("service s1")
	for _, s := range []string{"provisioning", "provisioning", "", "running"} {
		p.Update(s, 3*time.Second)
	}
	p.Done()
	if errOut.String() != "service s1: provisioning (3s)\nservice s1: running (3s)\n" {
		t.Errorf("plain progress = %q", errOut.String())
	}
	ios.SetStderrTTY(true)
	errOut.Reset()
	p = f.NewProgress("service s1")
	p.Update("stopping", 1500*time.Millisecond)
	p.Update("stopped", 2*time.Second)
	p.Done()
	if !strings.Contains(errOut.String(), "\r\033[Kservice s1: stopped (2s)") || !strings.HasSuffix(errOut.String(), "\n") {
		t.Errorf("terminal progress = %q", errOut.String())
	}
	if p.LastState() != "stopped" {
		t.Errorf("LastState = %q", p.LastState())
	}
}

// Wait is the chain every --wait runs: progress, --timeout, and an error that says what is still
// going on when the wait stops early.
func TestWait(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	ios.SetStderrTTY(true)
	f := &Factory{IOStreams: ios, Timeout: 20 * time.Millisecond}
	got, err := Wait(t.Context(), f, "service s1", "running", "chcloud service get s1",
		func(ctx context.Context, p *Progress) (string, error) {
			if _, bounded := ctx.Deadline(); !bounded {
				t.Error("the waiter's context is not bounded by --timeout")
			}
			p.Update("running", time.Second)
			return "done", nil
		})
	if got != "done" || err != nil || !strings.HasSuffix(errOut.String(), "\n") {
		t.Errorf("Wait = %q, %v; progress %q (want the waiter's value and a finished line)", got, err, errOut.String())
	}
	_, err = Wait(t.Context(), f, "service s1", "running", "chcloud service get s1",
		func(ctx context.Context, p *Progress) (string, error) {
			p.Update("provisioning", time.Second)
			<-ctx.Done()
			return "", ctx.Err()
		})
	var printed bytes.Buffer
	PrintError(&printed, err)
	for _, want := range []string{"timed out after", "service s1 to be running", "last state: provisioning", "chcloud service get s1"} {
		if !strings.Contains(printed.String(), want) {
			t.Errorf("timed-out wait printed %q, which lacks %q", printed.String(), want)
		}
	}
}

func TestConfirm(t *testing.T) {
	ios, in, _, errOut := iostreams.Test()
	f := &Factory{IOStreams: ios}
	if err := f.Confirm("! gone forever", "web"); ExitCode(err) != ExitUsage {
		t.Errorf("no terminal, no --yes: %v", err)
	}
	ios.SetTTY(true)
	in.WriteString("web\n")
	if err := f.Confirm("! gone forever", "web"); err != nil {
		t.Errorf("typed the name: %v", err)
	}
	if !strings.Contains(errOut.String(), "! gone forever") {
		t.Errorf("warning not shown: %q", errOut.String())
	}
	in.WriteString("y\n")
	if err := f.Confirm("! gone forever", "web"); !errors.Is(err, ErrCancelled) {
		t.Errorf("typed something else: %v", err)
	}
	f.DryRun = true
	ios.SetTTY(false)
	if err := f.Confirm("! gone forever", "web"); err != nil {
		t.Errorf("--dry-run: %v", err)
	}
	f.DryRun, f.Yes = false, true
	if err := f.Confirm("! gone forever", "web"); err != nil {
		t.Errorf("--yes: %v", err)
	}
}

func TestValidateID(t *testing.T) {
	if err := ValidateID("service", "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "web", "7f1d2a9c0b5e4c3f9a8e2d6b1c0e4f53", "{7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f5}"} {
		if err := ValidateID("service", bad); ExitCode(err) != ExitUsage {
			t.Errorf("ValidateID(%q) = %v", bad, err)
		}
	}
}

// Optional leaves a flag that was not given nil (a request must not carry it), points at the
// value of one that was (even an empty or false one), and looks and parses like the plain flag.
func TestOptionalFlags(t *testing.T) {
	type set struct {
		f *float64
		i *int
		s *string
		b *bool
	}
	bind := func(o *set) *pflag.FlagSet {
		fl := pflag.NewFlagSet("x", pflag.ContinueOnError)
		fl.SetOutput(io.Discard)
		Optional(fl, &o.f, "mem", 0, "memory, GB")
		Optional(fl, &o.i, "replicas", 0, "number of replicas")
		Optional(fl, &o.s, "name", "", "new name")
		Optional(fl, &o.b, "idle", true, "allow idling")
		return fl
	}
	var none set
	if err := bind(&none).Parse(nil); err != nil || none != (set{}) {
		t.Errorf("no flags given: %+v, %v; want every field nil", none, err)
	}
	var all set
	if err := bind(&all).Parse([]string{"--mem", "1.5", "--replicas=3", "--name", "", "--idle=false"}); err != nil {
		t.Fatal(err)
	}
	if all.f == nil || *all.f != 1.5 || all.i == nil || *all.i != 3 || all.s == nil || *all.s != "" || all.b == nil || *all.b {
		t.Errorf("all given = %+v", all)
	}
	var alone set
	if err := bind(&alone).Parse([]string{"--idle"}); err != nil || alone.b == nil || !*alone.b || alone.f != nil {
		t.Errorf("--idle alone: %+v, %v; want idle true and the rest nil", alone, err)
	}
	var bad set
	if err := bind(&bad).Parse([]string{"--replicas", "many"}); err == nil || !strings.Contains(err.Error(), "invalid argument \"many\"") || bad.i != nil {
		t.Errorf("--replicas many: %v (field %v), want pflag's invalid argument error and no value", err, bad.i)
	}

	plain := pflag.NewFlagSet("x", pflag.ContinueOnError)
	var f float64
	var i int
	var s string
	var b bool
	plain.Float64Var(&f, "mem", 0, "memory, GB")
	plain.IntVar(&i, "replicas", 0, "number of replicas")
	plain.StringVar(&s, "name", "", "new name")
	plain.BoolVar(&b, "idle", true, "allow idling")
	if got, want := bind(&set{}).FlagUsages(), plain.FlagUsages(); got != want {
		t.Errorf("help of Optional flags:\n%s\nwant the plain flags':\n%s", got, want)
	}
}
