package role

import (
	"errors"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

func TestCreateUpdateDelete(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	file := clitest.WriteFile(t, "role.json", `{"name": "readers", "actors": [], "policies": [{"allowDeny": "ALLOW", "permissions": ["control-plane:organization:view"], "resources": ["instance/*"]}]}`)
	if err := RunCreate(ctx, &WriteOptions{F: env.F, File: file}); err != nil {
		t.Fatal(err)
	}
	var role struct{ ID, Name string }
	if env.DecodeOut(t, &role); role.Name != "readers" {
		t.Fatalf("role create = %s", env.Out)
	}
	env.Out.Reset()
	if err := RunUpdate(ctx, &WriteOptions{F: env.F, RoleID: role.ID, Name: "viewers"}); err != nil {
		t.Fatal(err)
	}
	run := env.Runner(NewCommand)
	if err := run("list"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.Out.String(), `"viewers"`) {
		t.Errorf("role list lacks the renamed role:\n%s", env.Out)
	}
	if err := run("delete", role.ID, "--yes"); err != nil {
		t.Fatal(err)
	}
}

func TestBodyIsChecked(t *testing.T) {
	env := clitest.New(t, false)
	err := RunCreate(t.Context(), &WriteOptions{F: env.F, Name: "no-policies"})
	clitest.WantUsageSaying(t, "a role without the required policies", err, []string{"policies"}, nil)
}

// --no-validate sends a body the check refuses: the server's answer says what is wrong.
func TestNoValidateSendsTheBody(t *testing.T) {
	env := clitest.New(t, false)
	err := RunCreate(t.Context(), &WriteOptions{F: env.F, Name: "no-policies", NoValidate: true})
	// An APIError is the server's answer, never the local check's usage error.
	var apiErr *cloud.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Fatalf("role create --no-validate: %v, want the server's 400", err)
	}
	run := env.Runner(NewCommand)
	for _, sub := range []string{"create", "update"} {
		env.Out.Reset()
		if err := run(sub, "--help"); err != nil {
			t.Fatal(err)
		}
		if help := env.Out.String(); !strings.Contains(help, "--no-validate") || !strings.Contains(help, "without checking") {
			t.Errorf("role %s --help: --no-validate missing or unexplained:\n%s", sub, help)
		}
	}
}
