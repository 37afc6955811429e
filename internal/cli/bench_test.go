package cli_test

import (
	"context"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

// BenchmarkInProcess measures chcloud's own share of start-up (building the command tree and
// running the command), without process creation and package initialisation.
func BenchmarkInProcess(b *testing.B) {
	for _, args := range [][]string{{"version"}, {"--help"}} {
		b.Run(args[0], func(b *testing.B) {
			b.ReportAllocs()
			env := clitest.NewOffline(b, false)
			for b.Loop() {
				env.Out.Reset()
				if code := cli.Run(context.Background(), args, env.F); code != 0 {
					b.Fatalf("exit %d: %s", code, env.ErrOut)
				}
			}
		})
	}
}
