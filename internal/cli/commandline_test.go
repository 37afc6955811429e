package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

// TestCommandLineBuildsWhatItRuns: a run binds the flags only of the commands its command line
// names (Factory.CommandLine, cmdutil.Factory.MayRun). Every command, run by its own path, must
// then be exactly the command of the whole tree: the same usage and help, so the same flags,
// defaults and required flags.
func TestCommandLineBuildsWhatItRuns(t *testing.T) {
	whole := NewRootCommand(clitest.NewOffline(t, false).F)
	var paths [][]string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c != whole {
			paths = append(paths, strings.Fields(strings.TrimPrefix(c.CommandPath(), whole.Name()+" ")))
		}
	}
	walk(whole)
	if len(paths) < 80 {
		t.Fatalf("the whole tree has only %d commands", len(paths))
	}
	for _, path := range paths {
		want, _, err := whole.Find(path)
		if err != nil {
			t.Fatalf("%v in the whole tree: %v", path, err)
		}
		got, _, err := newRootCommand(clitest.NewOffline(t, false).F, path).Find(path)
		if err != nil {
			t.Errorf("%v, built for its own command line: %v", path, err)
			continue
		}
		if got.UsageString() != want.UsageString() || got.Long != want.Long {
			t.Errorf("%v built for its own command line differs from the whole tree's:\n%s\nwant:\n%s", path, got.UsageString(), want.UsageString())
		}
	}
}

// TestCommandLineLeavesOtherCommandsBare proves the laziness is there: a command the command
// line does not name has no flags of its own, and an alias names its command.
func TestCommandLineLeavesOtherCommandsBare(t *testing.T) {
	whole := NewRootCommand(clitest.NewOffline(t, false).F)
	flagsOf := func(root *cobra.Command, path ...string) string {
		c, _, err := root.Find(path)
		if err != nil {
			t.Fatal(err)
		}
		return c.LocalNonPersistentFlags().FlagUsages()
	}
	wholeCreate, wholeList := flagsOf(whole, "service", "create"), flagsOf(whole, "service", "list")
	if wholeCreate == "" || wholeList == "" {
		t.Fatalf("service create (%q) and list (%q) should have flags in the whole tree", wholeCreate, wholeList)
	}
	for _, line := range [][]string{{"service", "list"}, {"services", "ls"}} {
		root := newRootCommand(clitest.NewOffline(t, false).F, line)
		if got := flagsOf(root, "service", "create"); got != "" {
			t.Errorf("%v: service create, not named, has its flags bound:\n%s", line, got)
		}
		if got := flagsOf(root, line...); got != wholeList {
			t.Errorf("%v: service list has flags\n%s\nwant\n%s", line, got, wholeList)
		}
	}
}
