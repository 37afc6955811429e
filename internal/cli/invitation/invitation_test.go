package invitation

import (
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

func TestCreateListDelete(t *testing.T) {
	env := clitest.New(t, false)
	ctx := t.Context()
	if err := RunCreate(ctx, &CreateOptions{F: env.F, Email: "ana@example.com", Role: "developer"}); err != nil {
		t.Fatal(err)
	}
	var inv struct{ ID, Email string }
	if env.DecodeOut(t, &inv); inv.Email != "ana@example.com" {
		t.Fatalf("invitation create = %s", env.Out)
	}
	run := env.Runner(NewCommand)
	count := func() int {
		if err := run("list"); err != nil {
			t.Fatal(err)
		}
		var list []any
		env.DecodeOut(t, &list)
		return len(list)
	}
	before := count()
	if before == 0 {
		t.Fatal("the new invitation is not listed")
	}
	if err := run("delete", inv.ID, "--yes"); err != nil {
		t.Fatal(err)
	}
	if after := count(); after != before-1 {
		t.Errorf("invitations: %d before delete, %d after", before, after)
	}
}

// TestCreateBody pins the request bodies: the email always, the rest only when the user set it.
func TestCreateBody(t *testing.T) {
	env := clitest.New(t, false)
	bodies := env.Bodies()
	ctx := t.Context()
	roleID := "5b9be3b2-8a8b-4d1b-8e4a-4b1a7c2d3e4f"
	for _, o := range []CreateOptions{{Email: "a@example.com"}, {Email: "b@example.com", Role: "admin"}, {Email: "c@example.com", RoleIDs: []string{roleID}}} {
		o.F = env.F
		_ = RunCreate(ctx, &o) // the role may be unknown: only the body matters here
	}
	bodies.Want(t,
		`POST {"email":"a@example.com"}`,
		`POST {"email":"b@example.com","role":"admin"}`,
		`POST {"assignedRoleIds":["`+roleID+`"],"email":"c@example.com"}`)
}
