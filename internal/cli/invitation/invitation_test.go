package invitation

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

func TestCreateListDelete(t *testing.T) {
	env := clitest.New(t, false)
	ctx := context.Background()
	if err := RunCreate(ctx, &CreateOptions{F: env.F, Email: "ana@example.com", Role: "developer"}); err != nil {
		t.Fatal(err)
	}
	var inv struct{ ID, Email string }
	if err := json.Unmarshal(env.Out.Bytes(), &inv); err != nil || inv.Email != "ana@example.com" {
		t.Fatalf("invitation create = %s (err %v)", env.Out, err)
	}
	count := func() int {
		env.Out.Reset()
		if err := RunList(ctx, &ListOptions{F: env.F}); err != nil {
			t.Fatal(err)
		}
		var list []any
		if err := json.Unmarshal(env.Out.Bytes(), &list); err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	before := count()
	if before == 0 {
		t.Fatal("the new invitation is not listed")
	}
	env.F.Yes = true
	if err := RunDelete(ctx, &DeleteOptions{F: env.F, InvitationID: inv.ID}); err != nil {
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
	ctx := context.Background()
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
