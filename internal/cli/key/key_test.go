package key

import (
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
)

func ptr[T any](v T) *T { return &v }

var fixedNow = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }

func TestCreateForScriptsIsJSON(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	err := RunCreate(ctx, &CreateOptions{F: env.F, Now: fixedNow,
		Fields: Fields{Name: ptr("ci"), Roles: []string{"developer"}, Expires: ptr("90d")}})
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		KeyID     string `json:"keyId"`
		KeySecret string `json:"keySecret"`
		Key       struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			KeySuffix string `json:"keySuffix"`
			ExpireAt  string `json:"expireAt"`
		} `json:"key"`
	}
	env.DecodeOut(t, &created)
	if created.KeyID == "" || created.KeySecret == "" || created.Key.Name != "ci" {
		t.Fatalf("created = %+v, want the key ID, secret and key", created)
	}
	if !strings.HasPrefix(created.Key.ExpireAt, "2027-02-23") {
		t.Errorf("expireAt = %q, want 90 days after %s", created.Key.ExpireAt, fixedNow())
	}

	// The list never shows the secret, only the last four characters.
	env.Out.Reset()
	env.F.Output.Format = "table"
	if err := run(env, "list"); err != nil {
		t.Fatal(err)
	}
	table := env.Out.String()
	if strings.Contains(table, created.KeySecret) {
		t.Fatal("key list printed a secret")
	}
	for _, want := range []string{"NAME", "KEY", "ROLES", "STATE", "EXPIRES", "LAST USED", "ci", "…" + created.Key.KeySuffix} {
		if !strings.Contains(table, want) {
			t.Errorf("key list table lacks %q:\n%s", want, table)
		}
	}
}

func TestCreateOnTerminalWarnsOnce(t *testing.T) {
	env := clitest.New(t, true)
	err := RunCreate(t.Context(), &CreateOptions{F: env.F, Now: fixedNow,
		Fields: Fields{Name: ptr("laptop"), Roles: []string{"admin"}}})
	if err != nil {
		t.Fatal(err)
	}
	out := env.Out.String()
	for _, want := range []string{"Key ID:", "Key secret:", "cannot be shown again"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%s", want, out)
		}
	}
}

func TestUpdateDisableEnableDelete(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	if err := RunCreate(ctx, &CreateOptions{F: env.F, Now: fixedNow, Fields: Fields{Name: ptr("temp"), Roles: []string{"developer"}}}); err != nil {
		t.Fatal(err)
	}
	var created struct{ Key struct{ ID string } }
	env.DecodeOut(t, &created)
	id := created.Key.ID
	state := func() string {
		env.Out.Reset()
		if err := run(env, "get", id); err != nil {
			t.Fatal(err)
		}
		var k struct{ Name, State string }
		env.DecodeOut(t, &k)
		return k.Name + "/" + k.State
	}
	if err := RunUpdate(ctx, &UpdateOptions{F: env.F, KeyID: id, Now: fixedNow, Fields: Fields{Name: ptr("renamed")}}); err != nil {
		t.Fatal(err)
	}
	if err := RunState(ctx, &StateOptions{F: env.F, KeyID: id}); err != nil {
		t.Fatal(err)
	}
	if got := state(); got != "renamed/disabled" {
		t.Fatalf("after update and disable: %s", got)
	}
	if err := RunState(ctx, &StateOptions{F: env.F, KeyID: id, Enable: true}); err != nil {
		t.Fatal(err)
	}
	if got := state(); got != "renamed/enabled" {
		t.Fatalf("after enable: %s", got)
	}

	env.F.IOStreams.SetTTY(true)
	env.In.WriteString("renamed\n")
	if err := run(env, "delete", id); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.ErrOut.String(), "permanent") || !strings.Contains(env.ErrOut.String(), "loses access at once") {
		t.Errorf("delete must warn that it is permanent: %q", env.ErrOut)
	}
	if err := run(env, "get", id); !cloud.IsNotFound(err) {
		t.Fatalf("get after delete: %v, want 404", err)
	}
}

func TestBadInput(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	clitest.WantUsage(t, map[string]error{
		"no role":      RunCreate(ctx, &CreateOptions{F: env.F, Now: fixedNow, Fields: Fields{Name: ptr("x")}}),
		"bad role":     RunCreate(ctx, &CreateOptions{F: env.F, Now: fixedNow, Fields: Fields{Name: ptr("x"), Roles: []string{"root"}}}),
		"bad expiry":   RunCreate(ctx, &CreateOptions{F: env.F, Now: fixedNow, Fields: Fields{Name: ptr("x"), Roles: []string{"admin"}, Expires: ptr("soon")}}),
		"empty update": RunUpdate(ctx, &UpdateOptions{F: env.F, KeyID: "7f1d2a9c-0b5e-4c3f-9a8e-2d6b1c0e4f53", Now: fixedNow}),
		"no yes flag":  run(env, "delete", env.Server.KeyID),
	})
}

func TestParseExpiry(t *testing.T) {
	now := fixedNow()
	for in, want := range map[string]time.Time{
		"never":                {},
		"30d":                  now.AddDate(0, 0, 30),
		"48h":                  now.Add(48 * time.Hour),
		"2027-01-31":           time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC),
		"2027-01-31T10:00:00Z": time.Date(2027, 1, 31, 10, 0, 0, 0, time.UTC),
	} {
		got, err := ParseExpiry(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseExpiry(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"-3d", "tomorrow", "0d"} {
		if _, err := ParseExpiry(bad, now); err == nil {
			t.Errorf("ParseExpiry(%q) accepted", bad)
		}
	}
}

// Disabling the key chcloud runs with would lock it out: without a terminal it needs --yes, on
// a terminal the key's name typed back; other keys are disabled without a question.
func TestDisablingTheKeyInUseAsksFirst(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	c, err := cloud.New(cloud.WithBaseURL(env.Server.URL), cloud.WithCredentials(env.Server.KeyID, env.Server.KeySecret), cloud.WithoutRateLimit())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := cloud.Result(c.OpenapiKeyGetListWithResponse(ctx, env.Server.OrganizationID))
	if err != nil || len(keys) != 1 || keys[0].ID == nil {
		t.Fatalf("keys %v, %v", keys, err)
	}
	err = RunState(ctx, &StateOptions{F: env.F, KeyID: *keys[0].ID})
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), "is the key chcloud is using") {
		t.Fatalf("disabling the key in use without --yes: %v", err)
	}
	if err := RunCreate(ctx, &CreateOptions{F: env.F, Now: fixedNow, Fields: Fields{Name: ptr("other"), Roles: []string{"developer"}}}); err != nil {
		t.Fatal(err)
	}
	var other struct{ Key struct{ ID string } }
	if env.DecodeOut(t, &other); other.Key.ID == "" {
		t.Fatalf("created key:\n%s", env.Out)
	}
	if err := RunState(ctx, &StateOptions{F: env.F, KeyID: other.Key.ID}); err != nil {
		t.Errorf("disabling another key asked for confirmation: %v", err)
	}

	tty := clitest.New(t, true)
	keys, err = cloud.Result(mustClient(t, tty).OpenapiKeyGetListWithResponse(ctx, tty.Server.OrganizationID))
	if err != nil || len(keys) != 1 || keys[0].ID == nil {
		t.Fatalf("keys %v, %v", keys, err)
	}
	tty.In.WriteString("fake-admin-key\n")
	if err := RunState(ctx, &StateOptions{F: tty.F, KeyID: *keys[0].ID}); err != nil {
		t.Fatalf("confirmed on a terminal: %v", err)
	}
	if !strings.Contains(tty.ErrOut.String(), "is the key chcloud is using") {
		t.Errorf("no warning on the terminal:\n%s", tty.ErrOut)
	}
}

func mustClient(t *testing.T, env *clitest.Env) *cloud.Client {
	t.Helper()
	c, err := cloud.New(cloud.WithBaseURL(env.Server.URL), cloud.WithCredentials(env.Server.KeyID, env.Server.KeySecret), cloud.WithoutRateLimit())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRequestBodies pins what key create, update and disable send, now built with the generated
// request types: only what the flags set, a null expireAt for "never", whole seconds in UTC.
func TestRequestBodies(t *testing.T) {
	env := clitest.New(t, false)
	bodies := env.Bodies()
	now := func() time.Time { return time.Date(2026, 12, 5, 1, 2, 3, 456789, time.FixedZone("CET", 3600)) }
	name, never, days := "ci", "never", "90d"
	roleID := "5b9be3b2-8a8b-4d1b-8e4a-4b1a7c2d3e4f"
	const unknown = "4a8ad2a1-7f7a-4c0a-9d39-3a0f6b1c2d3e" // the key does not exist: only the bodies matter
	_ = RunCreate(t.Context(), &CreateOptions{F: env.F, Now: now, Fields: Fields{Name: &name, Roles: []string{"developer"}, Expires: &days}})
	_ = RunCreate(t.Context(), &CreateOptions{F: env.F, Now: now, Fields: Fields{Name: &name, RoleIDs: []string{roleID}, Expires: &never, IPAllow: []string{"10.0.0.0/8"}}})
	_ = RunUpdate(t.Context(), &UpdateOptions{F: env.F, Now: now, KeyID: unknown, Fields: Fields{Expires: &never}})
	_ = RunState(t.Context(), &StateOptions{F: env.F, KeyID: unknown, Enable: true})
	bodies.Want(t,
		`POST {"expireAt":"2027-03-05T00:02:03Z","name":"ci","roles":["developer"]}`,
		`POST {"assignedRoleIds":["`+roleID+`"],"expireAt":null,"ipAccessList":[{"source":"10.0.0.0/8"}],"name":"ci"}`,
		`PATCH {"expireAt":null}`,
		`PATCH {"state":"enabled"}`)
}
