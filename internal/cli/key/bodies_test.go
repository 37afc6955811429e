package key

import (
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
)

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
