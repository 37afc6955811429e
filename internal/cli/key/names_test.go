package key

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
)

// run executes `chcloud key ARGS...` through the cobra tree, as a user would.
func run(env *clitest.Env, args ...string) error { return env.Execute(NewCommand(env.F), args...) }

func printed(err error) string { return clitest.Printed(err) }

type createdKey struct {
	KeyID, KeySecret string
	Key              struct{ ID, Name string }
}

func createKey(t *testing.T, env *clitest.Env, args ...string) createdKey {
	t.Helper()
	if err := run(env, append([]string{"create"}, args...)...); err != nil {
		t.Fatalf("key create %v: %v", args, err)
	}
	var k createdKey
	if env.DecodeOut(t, &k); k.KeyID == "" {
		t.Fatalf("key create printed %s", env.Out)
	}
	return k
}

func getName(t *testing.T, env *clitest.Env, arg string) string {
	t.Helper()
	if err := run(env, "get", arg); err != nil {
		t.Fatalf("key get %s: %v\n%s", arg, err, printed(err))
	}
	var k struct{ Name, State string }
	env.DecodeOut(t, &k)
	return k.Name + "/" + k.State
}

func TestKeyCommandsTakeANameOrTheKeyIDInUse(t *testing.T) {
	env := clitest.New(t, false)
	ci := createKey(t, env, "--name", "ci", "--role", "developer")

	if got := getName(t, env, "ci"); got != "ci/enabled" {
		t.Fatalf("key get ci = %s", got)
	}
	if err := run(env, "update", "ci", "--name", "ci-old"); err != nil {
		t.Fatal(err)
	}
	if err := run(env, "disable", "ci-old"); err != nil {
		t.Fatal(err)
	}
	if got := getName(t, env, ci.Key.ID); got != "ci-old/disabled" {
		t.Fatalf("after update and disable by name: %s", got)
	}
	if err := run(env, "enable", "ci-old"); err != nil {
		t.Fatal(err)
	}
	// The key ID chcloud signs in with names the key in use.
	if got := getName(t, env, env.Server.KeyID); got != "fake-admin-key/enabled" {
		t.Errorf("key get <key ID in use> = %s, want the admin key", got)
	}
	// Disabling it by its key ID still asks first.
	if err := run(env, "disable", env.Server.KeyID); cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), "is the key chcloud is using") {
		t.Errorf("disable <key ID in use> without --yes: %v", err)
	}
	if err := run(env, "delete", "ci-old", "--yes"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.ErrOut.String(), `Deleted API key "ci-old" (`+ci.Key.ID+")") {
		t.Errorf("delete by name: %q", env.ErrOut)
	}
}

func TestAmbiguousAndUnknownKeys(t *testing.T) {
	env := clitest.New(t, false)
	a := createKey(t, env, "--name", "deploy", "--role", "developer")
	b := createKey(t, env, "--name", "deploy", "--role", "developer")

	err := run(env, "delete", "deploy", "--yes")
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Fatalf("delete of an ambiguous name: %v (exit %d), want exit 2", err, cmdutil.ExitCode(err))
	}
	msg := printed(err)
	for _, want := range []string{`2 API keys are named "deploy"`, a.Key.ID, b.Key.ID} {
		if !strings.Contains(msg, want) {
			t.Errorf("the ambiguity error lacks %q:\n%s", want, msg)
		}
	}
	err = run(env, "get", "ZZZZZZZZZZZZZZZZ9999")
	if cmdutil.ExitCode(err) != cmdutil.ExitError || !strings.Contains(err.Error(), `no API key named "ZZZZZZZZZZZZZZZZ9999" nor with a key ID ending in "9999"`) {
		t.Errorf("an unknown key ID: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

func TestTerminalGetShowsIPAccessList(t *testing.T) {
	env := clitest.New(t, true)
	env.F.Output.Format = "json"
	createKey(t, env, "--name", "office", "--role", "developer", "--ip-allow", "198.51.100.0/24")
	env.F.Output.Format = ""
	if err := run(env, "get", "office"); err != nil {
		t.Fatal(err)
	}
	out := env.Out.String()
	for _, want := range []string{"NAME:", "STATE:", "IP ACCESS LIST:\n  SOURCE", "198.51.100.0/24"} {
		if !strings.Contains(out, want) {
			t.Errorf("key get on a terminal lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "ROLES:"); n != 1 {
		t.Errorf("ROLES shown %d times (assigned roles and the deprecated field are one line):\n%s", n, out)
	}
}

func TestCompletionOffersKeys(t *testing.T) {
	env := clitest.New(t, false)
	ci := createKey(t, env, "--name", "ci", "--role", "developer")
	var out, errOut bytes.Buffer
	cmd := NewCommand(env.F)
	cmd.SetArgs([]string{"__complete", "disable", ""})
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	if err := cmd.ExecuteContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ci\t" + ci.Key.ID, ci.Key.ID + "\tci", "fake-admin-key\t"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("completion of 'key disable' lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), ci.KeySecret) || strings.Contains(out.String(), ci.KeyID) {
		t.Error("completion showed a credential")
	}
}

// as returns an environment on the same server that signs in with another key.
func as(t *testing.T, env *clitest.Env, k createdKey) *clitest.Env {
	other := clitest.NewOffline(t, false)
	other.Server = env.Server
	other.F.Flags.APIURL = env.Server.URL
	other.F.Flags.APIKey, other.F.Flags.APISecret = k.KeyID, k.KeySecret
	return other
}

// A 401 says what is wrong with the key (disabled, expired) rather than "check the secret".
func TestRejectedKeysSayWhy(t *testing.T) {
	clock := cloudtest.NewManualClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	env := clitest.New(t, false, cloudtest.WithClock(clock))
	disabled := createKey(t, env, "--name", "paused", "--role", "developer")
	if err := run(env, "disable", "paused"); err != nil {
		t.Fatal(err)
	}
	err := run(as(t, env, disabled), "list")
	msg := printed(err)
	if cmdutil.ExitCode(err) != cmdutil.ExitAuth || !strings.Contains(msg, "hint: this API key is disabled") || !strings.Contains(msg, "chcloud key enable") {
		t.Errorf("a disabled key: exit %d\n%s", cmdutil.ExitCode(err), msg)
	}

	// An absolute --expires on the fake's clock, which then moves past it.
	expired := createKey(t, env, "--name", "old", "--role", "developer", "--expires", clock.Now().Add(24*time.Hour).Format(time.RFC3339))
	clock.Advance(48 * time.Hour)
	err = run(as(t, env, expired), "list")
	msg = printed(err)
	if cmdutil.ExitCode(err) != cmdutil.ExitAuth || !strings.Contains(msg, "not active") || !strings.Contains(msg, "expired") ||
		strings.Contains(msg, "check the key ID and secret") {
		t.Errorf("an expired key: exit %d\n%s", cmdutil.ExitCode(err), msg)
	}

	err = run(as(t, env, createdKey{KeyID: disabled.KeyID, KeySecret: "wrong"}), "list")
	if msg := printed(err); !strings.Contains(msg, "check the key ID and secret") {
		t.Errorf("a wrong secret:\n%s", msg)
	}
}

// A 403 on an organization the key does not belong to names the key's organization; a 403 for
// a missing permission speaks of the role.
func TestForbiddenSaysWhich(t *testing.T) {
	env := clitest.New(t, false)
	other := "0b6a3c2e-1f4d-4e8a-9c7b-5d2e1a0f9b8c"
	env.F.Flags.OrgID = other
	err := run(env, "list")
	msg := printed(err)
	for _, want := range []string{"error: FORBIDDEN", "hint: this key belongs to organization " + env.Server.OrganizationID,
		"it cannot see " + other, "--org, CLICKHOUSE_ORG_ID or the profile"} {
		if !strings.Contains(msg, want) {
			t.Errorf("403 on another organization lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "admin role") {
		t.Errorf("403 on another organization speaks of roles:\n%s", msg)
	}

	env.F.Flags.OrgID = ""
	env.F.ResetClient()
	dev := createKey(t, env, "--name", "reader", "--role", "developer")
	err = run(as(t, env, dev), "create", "--name", "escalate", "--role", "admin")
	msg = printed(err)
	if !strings.Contains(msg, "error: FORBIDDEN") || !strings.Contains(msg, "role does not allow this") || strings.Contains(msg, "cannot see") {
		t.Errorf("403 for a missing permission:\n%s", msg)
	}
}

func TestKeyStateShowsExpired(t *testing.T) {
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	for _, c := range []struct {
		row  map[string]any
		want string
	}{
		{map[string]any{"state": "enabled", "expireAt": past}, "enabled (expired)"},
		{map[string]any{"state": "enabled", "expireAt": future}, "enabled"},
		{map[string]any{"state": "disabled", "expireAt": nil}, "disabled"},
	} {
		if got := keyState(c.row); got != c.want {
			t.Errorf("keyState(%v) = %q, want %q", c.row, got, c.want)
		}
	}
}
