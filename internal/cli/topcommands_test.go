package cli

import (
	"bytes"
	"slices"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

// The placeholders must show what the real commands show, or `chcloud --help` would lie: every
// NewCommand builds from its package's Top.
func TestTopCommandsMatchWhatTheyBuild(t *testing.T) {
	f := clitest.NewOffline(t, false).F
	for _, top := range topCommands {
		built := top.build(f)
		if built.Use != top.Use || built.Short != top.Short || !slices.Equal(built.Aliases, top.Aliases) {
			t.Errorf("%s.Top {%q, %q, %q} differs from what %s.NewCommand builds: {%q, %q, %q}; build it from Top",
				top.name(), top.Use, top.Short, top.Aliases, top.name(), built.Use, built.Short, built.Aliases)
		}
	}
}

// The root's help is the same whether the subtrees are built or not.
func TestRootHelpWithPlaceholdersIsTheFullTreesHelp(t *testing.T) {
	help := func(args []string) string {
		var out bytes.Buffer
		root := newRootCommand(clitest.NewOffline(t, false).F, args)
		root.SetOut(&out)
		if err := root.Help(); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	full, lazy := help(nil), help([]string{"--help"})
	if full != lazy {
		t.Errorf("root help with placeholders differs from the full tree's:\n--- full\n%s\n--- placeholders\n%s", full, lazy)
	}
}

func TestOnlyNamedSubtreesAreBuilt(t *testing.T) {
	cases := []struct {
		args  []string
		built []string // top-level commands with subcommands (sorted, as cobra lists them); the others must be placeholders
	}{
		{[]string{"version"}, nil},
		{[]string{"service", "list"}, []string{"service"}},
		{[]string{"--output", "json", "pg", "list"}, []string{"postgres"}}, // an alias
		{[]string{"help", "key"}, []string{"key"}},
		{[]string{"__complete", "ser"}, []string{"auth", "backup", "clickpipe", "config", "invitation", "key", "member", "mock", "org", "postgres", "role", "service", "spec"}},
	}
	for _, c := range cases {
		root := newRootCommand(clitest.NewOffline(t, false).F, c.args)
		var built []string
		for _, cmd := range root.Commands() {
			if cmd.HasSubCommands() {
				built = append(built, cmd.Name())
			}
		}
		if !slices.Equal(built, c.built) {
			t.Errorf("%q built %v, want %v", c.args, built, c.built)
		}
	}
}
