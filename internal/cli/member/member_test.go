package member

import (
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

func TestListGetUpdate(t *testing.T) {
	env := clitest.New(t, false)
	run := env.Runner(NewCommand)
	if err := run("list"); err != nil {
		t.Fatal(err)
	}
	var members []struct {
		UserID string `json:"userId"`
		Email  string `json:"email"`
	}
	if env.DecodeOut(t, &members); len(members) == 0 {
		t.Fatalf("member list = %s, want at least one member", env.Out)
	}
	id := members[0].UserID
	if err := RunUpdate(t.Context(), &UpdateOptions{F: env.F, UserID: id, Role: "developer"}); err != nil {
		t.Fatal(err)
	}
	env.F.Output.Format = "table"
	if err := run("get", id); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.Out.String(), members[0].Email) {
		t.Errorf("member get table lacks the email:\n%s", env.Out)
	}
	clitest.WantUsage(t, map[string]error{
		"bad role":     RunUpdate(t.Context(), &UpdateOptions{F: env.F, UserID: id, Role: "owner"}),
		"no change":    RunUpdate(t.Context(), &UpdateOptions{F: env.F, UserID: id}),
		"malformed id": run("get", "bob"),
		"no --yes":     run("delete", id),
	})
}

// TestUpdateBody pins the request bodies: only what the user set, as the API rejects defaults.
func TestUpdateBody(t *testing.T) {
	env := clitest.New(t, false)
	bodies := env.Bodies()
	id, roleID := "4a8ad2a1-7f7a-4c0a-9d39-3a0f6b1c2d3e", "5b9be3b2-8a8b-4d1b-8e4a-4b1a7c2d3e4f"
	for _, o := range []UpdateOptions{{Role: "developer"}, {RoleIDs: []string{roleID}}, {Role: "admin", RoleIDs: []string{roleID}}} {
		o.F, o.UserID = env.F, id
		_ = RunUpdate(t.Context(), &o) // the user is unknown: only the body matters here
	}
	bodies.Want(t,
		`PATCH {"role":"developer"}`,
		`PATCH {"assignedRoleIds":["`+roleID+`"]}`,
		`PATCH {"assignedRoleIds":["`+roleID+`"],"role":"admin"}`)
}

// LegacyRole is the one check of --role and --role-id for member update and invitation create.
func TestLegacyRole(t *testing.T) {
	roleID := "5b9be3b2-8a8b-4d1b-8e4a-4b1a7c2d3e4f"
	if role, err := LegacyRole[string]("", []string{roleID}); role != nil || err != nil {
		t.Errorf("no --role: %v, %v; want nil, nil", role, err)
	}
	if role, err := LegacyRole[string]("admin", nil); err != nil || role == nil || *role != "admin" {
		t.Errorf("--role admin: %v, %v", role, err)
	}
	_, badRole := LegacyRole[string]("owner", []string{"r1"})
	_, badID := LegacyRole[string]("admin", []string{roleID, "r1"})
	clitest.WantUsage(t, map[string]error{"bad role": badRole, "bad role id": badID})
	if !strings.Contains(badRole.Error(), "owner") || !strings.Contains(badID.Error(), "r1") {
		t.Errorf("the errors should name the bad value: %v / %v", badRole, badID)
	}
}
