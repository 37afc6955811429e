// Command sweep deletes what conformance runs left behind in an organization: every service,
// API key, role, invitation, Postgres service and UDF whose name starts with the suite's prefix
// ("chcconf"). A run cleans up after itself even when a spec fails; sweep is for runs that were
// killed. It reads CLICKHOUSE_API_URL, CLICKHOUSE_CLOUD_API_KEY and CLICKHOUSE_CLOUD_API_SECRET.
//
//	go run ./conformance/cmd/sweep -dry-run
//	go run ./conformance/cmd/sweep
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/chcloud-dev/chcloud/conformance"
)

func main() {
	dryRun := flag.Bool("dry-run", false, "list what would be deleted, delete nothing")
	prefix := flag.String("prefix", conformance.NamePrefix, "delete items whose name starts with this (must start with "+conformance.NamePrefix+")")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, *prefix, *dryRun))
}

func run(ctx context.Context, prefix string, dryRun bool) int {
	env := func(k string) string {
		if k == conformance.EnvMode {
			return string(conformance.Live)
		}
		return os.Getenv(k)
	}
	cfg, err := conformance.ConfigFromEnv(env, ".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "sweep:", err)
		return 2
	}
	if cfg.BaseURL == conformance.FakeURL {
		fmt.Fprintln(os.Stderr, "sweep: the in-process fake server has nothing to sweep; set "+conformance.EnvURL+" to a server")
		return 2
	}
	s := conformance.NewLiveSession(ctx, cfg, nil)
	n, err := conformance.Sweep(s, prefix, dryRun, os.Stdout)
	verb := "deleted"
	if dryRun {
		verb = "would delete"
	}
	fmt.Printf("%s %d items named %s*\n", verb, n, prefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sweep:", err)
		return 1
	}
	return 0
}
