package cmdutil

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/cloud/redact"
	"github.com/chcloud-dev/chcloud/internal/cli/config"
)

// AddConnectionFlags binds the global flags that say how chcloud talks to the API beyond
// credentials: --request-timeout and --allow-insecure-http. Each is also a profile setting of
// the same name and a CHCLOUD_ environment variable (package config).
func (f *Factory) AddConnectionFlags(fs *pflag.FlagSet) {
	fs.Var(&durationText{&f.Flags.RequestTimeout}, "request-timeout",
		fmt.Sprintf("give up one attempt of an API call after this long, 0 for never (default %s, or $%s)",
			cloud.DefaultAttemptTimeout, config.EnvRequestTimeout))
	fs.BoolVar(&f.Flags.AllowInsecureHTTP, "allow-insecure-http", false,
		"allow an http:// --api-url to another machine, sending the key and secret unencrypted (or $"+config.EnvAllowInsecureHTTP+")")
}

// durationText is a flag that checks a duration as it is parsed (a mistyped --request-timeout
// is a usage error naming the flag) but keeps it as typed, so that "unset" stays distinguishable
// from "0" (no limit) and the source can be reported like the other settings'.
type durationText struct{ s *string }

func (d *durationText) String() string {
	if d.s == nil {
		return ""
	}
	return *d.s
}

func (d *durationText) Set(v string) error {
	if _, err := config.ParseRequestTimeout(v); err != nil {
		return errors.New("not a duration such as 90s or 2m (0 for no limit)")
	}
	*d.s = v
	return nil
}

func (d *durationText) Type() string { return "duration" }

// connectionOptions turns the resolved connection settings into SDK options.
func (f *Factory) connectionOptions(r *config.Resolved) ([]cloud.Option, error) {
	if r.Invalid != nil {
		return nil, UsageErrorf("%w", r.Invalid)
	}
	var opts []cloud.Option
	if r.RequestTimeout.Set() {
		opts = append(opts, cloud.WithAttemptTimeout(r.AttemptTimeout))
	}
	if r.InsecureHTTPAllowed() {
		opts = append(opts, cloud.WithInsecureHTTP())
	}
	if notify := f.waitNotice(); notify != nil {
		opts = append(opts, cloud.WithWaitNotify(notify))
	}
	return opts, nil
}

// insecureHTTPError explains a refused http:// API URL in the CLI's terms.
func insecureHTTPError(r *config.Resolved, baseURL string) error {
	source := "the default"
	if r.APIURL.Set() {
		source = r.APIURL.Source
	}
	return &Error{Code: ExitUsage,
		Err: fmt.Errorf("refusing to send the API key and secret unencrypted: the API URL %s (from %s) is http:// to another machine",
			redact.URL(baseURL), source),
		Hints: []string{"use https://; or, on a network you trust, pass --allow-insecure-http (or set " +
			config.EnvAllowInsecureHTTP + "=true, or 'chcloud config set allow-insecure-http true')"}}
}

// waitNotice returns what announces the SDK's long waits (a 429's Retry-After, a backoff, the key's
// rate limit window), or nil when nobody would see it: only a person at a terminal, or someone
// who asked with --debug, gets the line; a script's stderr stays as it was.
func (f *Factory) waitNotice() func(cloud.WaitEvent) {
	ios := f.IOStreams
	if ios == nil || (!ios.IsStderrTTY() && !f.Debug) {
		return nil
	}
	var mu sync.Mutex
	var until time.Time
	return func(e cloud.WaitEvent) {
		mu.Lock()
		defer mu.Unlock()
		// Goroutines sharing the client wait for the same reset: one line says it for all.
		end := time.Now().Add(e.Wait)
		if e.Reason == cloud.WaitBudget && !end.After(until.Add(time.Second)) {
			return
		}
		until = end
		if ios.IsStderrTTY() {
			// Clear a wait's progress line that may be on screen (it is redrawn on its next
			// update) rather than append to it.
			fmt.Fprintf(ios.ErrOut, "\r\033[K%s\n", e)
			return
		}
		fmt.Fprintln(ios.ErrOut, e)
	}
}
