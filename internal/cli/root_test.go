package cli_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/internal/cli"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

func TestHelpAndVersion(t *testing.T) {
	env := clitest.NewOffline(t, false)
	if code := cli.Run(context.Background(), []string{"--help"}, env.F); code != 0 {
		t.Fatalf("--help exit %d: %s", code, env.ErrOut)
	}
	for _, noun := range []string{"service", "key", "member", "invitation", "role", "backup", "clickpipe", "postgres", "org", "api", "auth", "config", "mock", "spec", "completion", "version"} {
		if !strings.Contains(env.Out.String(), "\n  "+noun+" ") {
			t.Errorf("--help does not list %q", noun)
		}
	}
	env = clitest.NewOffline(t, false)
	if code := cli.Run(context.Background(), []string{"version"}, env.F); code != 0 {
		t.Fatal(env.ErrOut)
	}
	var v struct{ Version, SpecSha256 string }
	if env.DecodeOut(t, &v); v.Version == "" || len(v.SpecSha256) != 64 {
		t.Errorf("version (not a terminal) = %s", env.Out)
	}
	env = clitest.NewOffline(t, true)
	if code := cli.Run(context.Background(), []string{"version"}, env.F); code != 0 || !strings.HasPrefix(env.Out.String(), "chcloud version ") {
		t.Errorf("version on a terminal = %q", env.Out)
	}
}

func TestMissingCredentials(t *testing.T) {
	env := clitest.NewOffline(t, true)
	code := cli.Run(context.Background(), []string{"service", "list"}, env.F)
	if code != 4 || !strings.Contains(env.ErrOut.String(), "CLICKHOUSE_CLOUD_API_KEY and CLICKHOUSE_CLOUD_API_SECRET not set") ||
		!strings.Contains(env.ErrOut.String(), "chcloud auth login") {
		t.Errorf("exit %d, stderr %q", code, env.ErrOut)
	}
}

func TestCompletion(t *testing.T) {
	env := clitest.NewOffline(t, false)
	if code := cli.Run(context.Background(), []string{"completion", "bash"}, env.F); code != 0 || !strings.Contains(env.Out.String(), "__start_chcloud") {
		t.Errorf("completion bash: exit %d, %d bytes", code, env.Out.Len())
	}
}

// The command tree matches the issue: every noun has its verbs, each with help and a run function.
func TestCommandTree(t *testing.T) {
	root := cli.NewRootCommand(clitest.NewOffline(t, false).F)
	want := map[string][]string{
		"org":                    {"get", "update", "activities", "usage"},
		"service":                {"list", "get", "create", "update", "start", "stop", "wake", "delete", "wait", "scale", "reset-password", "query-endpoint"},
		"backup":                 {"list", "get", "config"},
		"backup config":          {"get", "set"},
		"key":                    {"list", "get", "create", "update", "delete", "disable", "enable"},
		"member":                 {"list", "get", "update", "delete"},
		"invitation":             {"list", "create", "delete"},
		"role":                   {"list", "get", "create", "update", "delete"},
		"clickpipe":              {"list", "get", "create", "start", "stop", "resync", "scale", "delete"},
		"postgres":               {"list", "get", "create", "delete"},
		"auth":                   {"login", "status", "logout"},
		"config":                 {"set", "get", "list", "use"},
		"service query-endpoint": {"get", "enable", "disable"},
	}
	for noun, verbs := range want {
		for _, verb := range verbs {
			cmd, _, err := root.Find(append(strings.Fields(noun), verb))
			if err != nil || cmd.Name() != verb {
				t.Errorf("chcloud %s %s is missing", noun, verb)
			}
		}
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Short == "" {
			t.Errorf("%q has no help text", c.CommandPath())
		}
		if !c.HasSubCommands() && c.RunE == nil && c.Run == nil {
			t.Errorf("%q does nothing", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// Every `chcloud api` example in the help text and the README runs against the fake server: an
// example that no longer fits the document (a renamed field, say) fails here rather than in a
// user's terminal.
func TestAPIHelpExamplesRun(t *testing.T) {
	env := clitest.New(t, false)
	// cli.Run binds the flags afresh, so the credentials come from the environment.
	env.Vars["CLICKHOUSE_CLOUD_API_KEY"], env.Vars["CLICKHOUSE_CLOUD_API_SECRET"] = env.Server.KeyID, env.Server.KeySecret
	env.Vars["CLICKHOUSE_API_URL"] = env.Server.URL
	ctx := context.Background()
	if code := cli.Run(ctx, []string{"service", "create", "--name", "examples", "--provider", "aws", "--region", "us-east-1", "--wait"}, env.F); code != 0 {
		t.Fatalf("service create: exit %d: %s", code, env.ErrOut)
	}
	var created struct{ Service struct{ ID string } }
	if env.DecodeOut(t, &created); created.Service.ID == "" {
		t.Fatalf("service create output:\n%s", env.Out)
	}
	patch := clitest.WriteFile(t, "patch.json", `{"name":"renamed-by-example"}`)
	apiCmd, _, err := cli.NewRootCommand(env.F).Find([]string{"api"})
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, line := range append(strings.Split(apiCmd.Example, "\n"), strings.Split(string(readme), "\n")...) {
		line, _, _ = strings.Cut(line, "#") // the README's comments
		fields := strings.Fields(line)
		if len(fields) > 1 && fields[1] != "api" {
			continue
		}
		if len(fields) < 2 || fields[0] != "chcloud" {
			continue
		}
		args := fields[1:]
		for i, a := range args {
			a = strings.ReplaceAll(a, "SERVICE_ID", created.Service.ID)
			args[i] = strings.ReplaceAll(a, "patch.json", patch)
		}
		env.Out.Reset()
		env.ErrOut.Reset()
		if code := cli.Run(ctx, args, env.F); code != 0 {
			t.Errorf("%s: exit %d: %s", strings.TrimSpace(line), code, env.ErrOut)
		}
		ran++
	}
	if ran < 8 {
		t.Errorf("only %d examples found in `chcloud api --help` and the README", ran)
	}
}
