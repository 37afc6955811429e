package configcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
)

func TestSetGetListUse(t *testing.T) {
	env := clitest.NewOffline(t, false)
	org := "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53"
	for _, kv := range [][2]string{{"org", org}, {"api-url", "http://127.0.0.1:8124"}, {"api-secret", "s3cret"}} {
		if err := RunSet(&SetOptions{F: env.F, Key: kv[0], Value: kv[1]}); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(env.Vars["XDG_CONFIG_HOME"], "chcloud", "config.yaml")
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("config file mode: %v %v", info, err)
	}
	env.F.ResetClient()
	if err := RunGet(&GetOptions{F: env.F, Key: "org"}); err != nil || strings.TrimSpace(env.Out.String()) != org {
		t.Errorf("config get org = %q, %v", env.Out, err)
	}
	env.Out.Reset()
	if err := RunGet(&GetOptions{F: env.F, Key: "api-secret"}); err != nil || strings.Contains(env.Out.String(), "s3cret") {
		t.Errorf("config get api-secret printed %q (%v)", env.Out, err)
	}
	env.Out.Reset()
	env.F.Output.Format = "table"
	if err := RunList(&ListOptions{F: env.F}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.Out.String(), "default") || strings.Contains(env.Out.String(), "s3cret") {
		t.Errorf("config list:\n%s", env.Out)
	}

	for name, err := range map[string]error{
		"unknown key": RunSet(&SetOptions{F: env.F, Key: "colour", Value: "x"}),
		"bad org":     RunSet(&SetOptions{F: env.F, Key: "org", Value: "acme"}),
	} {
		if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := RunUse(&UseOptions{F: env.F, Profile: "ci"}); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("use of a missing profile: %v", err)
	}
	if err := RunUse(&UseOptions{F: env.F, Profile: "default"}); err != nil {
		t.Errorf("use default: %v", err)
	}
}

// `config set --profile NAME` creates the profile (the README's way to point a profile at the
// fake server); `config get` with a profile that does not exist is still an error.
func TestSetCreatesANamedProfile(t *testing.T) {
	env := clitest.NewOffline(t, false)
	env.F.Flags.Profile = "fake"
	if err := RunSet(&SetOptions{F: env.F, Key: "api-url", Value: "http://127.0.0.1:8124"}); err != nil {
		t.Fatalf("config set into a new profile: %v", err)
	}
	env.F.ResetClient()
	env.F.CreatesProfile = false
	if err := RunGet(&GetOptions{F: env.F, Key: "api-url"}); err != nil || strings.TrimSpace(env.Out.String()) != "http://127.0.0.1:8124" {
		t.Errorf("config get api-url --profile fake = %q, %v", env.Out, err)
	}
	env.F.ResetClient()
	env.F.Flags.Profile = "fkae"
	if err := RunGet(&GetOptions{F: env.F, Key: "api-url"}); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("config get with a mistyped profile: %v, want a usage error", err)
	}
}
