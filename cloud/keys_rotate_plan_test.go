package cloud

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// TestPlanRotationRoles: assigned role IDs are copied, and alone when there are any (the legacy
// field is frozen at its pre-migration value, here a stale "admin" that would promote the new
// key); the legacy roles are copied only for a key without assigned roles; a key with neither is
// refused rather than replaced by a key with other rights.
func TestPlanRotationRoles(t *testing.T) {
	r := KeyRotation{OrganizationID: "org", KeyID: "uuid-ci"}
	migrated := auditKey("ci", legacyAdmin, assigned("Developer", cloudapi.AssignedRoleRoleTypeSystem))
	p, err := planRotation(migrated, r, auditNow, "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.AssignedRoleIDs, []string{"role-Developer"}) || p.Roles != nil {
		t.Errorf("migrated key: assignedRoleIds %v, roles %v; want the assigned role only", p.AssignedRoleIDs, p.Roles)
	}

	legacy := auditKey("old-ci", legacyAdmin)
	p, err = planRotation(legacy, r, auditNow, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.AssignedRoleIDs != nil || !slices.Equal(p.Roles, []string{"admin"}) {
		t.Errorf("legacy key: assignedRoleIds %v, roles %v; want roles [admin]", p.AssignedRoleIDs, p.Roles)
	}

	// An assigned role without an ID cannot be copied: the legacy roles are, when there are any.
	noID := auditKey("no-id", legacyAdmin, func(k *cloudapi.APIKey) {
		k.AssignedRoles = []cloudapi.AssignedRole{{RoleID: ptr("role-a"), RoleName: ptr("A")}, {RoleName: ptr("Admin")}}
	})
	if p, err = planRotation(noID, r, auditNow, ""); err != nil || p.AssignedRoleIDs != nil || !slices.Equal(p.Roles, []string{"admin"}) {
		t.Errorf("assigned role without ID: %+v %v", p, err)
	}
	none := auditKey("roleless", func(k *cloudapi.APIKey) { k.Roles = nil })
	if _, err := planRotation(none, r, auditNow, ""); err == nil || !strings.Contains(err.Error(), "same roles") {
		t.Errorf("key without roles: %v", err)
	}
}

// TestPlanRotationIPAccessList: the list is sent exactly as the old key has it; an empty list is
// sent as [] (the generated request type would drop it, letting the server pick its default),
// and a key whose answer has no list sends none.
func TestPlanRotationIPAccessList(t *testing.T) {
	r := KeyRotation{OrganizationID: "org", KeyID: "uuid-ci"}
	for _, c := range []struct {
		name string
		list []cloudapi.IPAccessListEntry
		want string
	}{
		{"empty", []cloudapi.IPAccessListEntry{}, `"ipAccessList":[]`},
		{"absent", nil, ``},
		{"two", []cloudapi.IPAccessListEntry{{Source: ptr("10.0.0.0/8"), Description: ptr("office")}, {Source: ptr("::/0")}},
			`"ipAccessList":[{"description":"office","source":"10.0.0.0/8"},{"source":"::/0"}]`},
	} {
		p, err := planRotation(auditKey("ci", func(k *cloudapi.APIKey) { k.IPAccessList = c.list }), r, auditNow, "")
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(createBody(p))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(raw); c.want == "" && strings.Contains(got, "ipAccessList") || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s: request %s, want %s", c.name, got, c.want)
		}
	}
}

// TestPlanRotationExpiryAndName: the new expiry keeps the old key's lifetime from now, or
// follows ExpireAt / NoExpiry; the derived name replaces an earlier rotation's date.
func TestPlanRotationExpiryAndName(t *testing.T) {
	r := KeyRotation{OrganizationID: "org", KeyID: "uuid-ci"}
	thirtyDays := auditKey("ci (rotated 2026-01-02)", createdAgo(10*auditDay), expiresIn(20*auditDay))
	p, err := planRotation(thirtyDays, r, auditNow, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.ExpireAt == nil || !p.ExpireAt.Equal(auditNow.Add(30*auditDay)) {
		t.Errorf("expireAt %v, want now + 30 days", p.ExpireAt)
	}
	if p.Name != "ci (rotated 2026-12-04)" {
		t.Errorf("name %q", p.Name)
	}
	sameDay := auditKey("ci (rotated 2026-12-04)", createdAgo(time.Hour))
	if p, _ := planRotation(sameDay, r, auditNow, ""); p == nil || p.Name != "ci (rotated 2026-12-04 12:00)" {
		t.Errorf("rotated twice the same day: %+v", p)
	}
	if p, _ := planRotation(auditKey("forever", neverExpires), r, auditNow, ""); p == nil || p.ExpireAt != nil || p.Name != "forever (rotated 2026-12-04)" {
		t.Errorf("old key without expiry: %+v", p)
	}
	if p, _ := planRotation(thirtyDays, KeyRotation{NoExpiry: true, Name: "x"}, auditNow, ""); p == nil || p.ExpireAt != nil || p.Name != "x" {
		t.Errorf("NoExpiry: %+v", p)
	}
	at := auditNow.Add(time.Hour + 300*time.Millisecond)
	if p, _ := planRotation(thirtyDays, KeyRotation{ExpireAt: &at}, auditNow, ""); p == nil || !p.ExpireAt.Equal(at.Truncate(time.Second)) {
		t.Errorf("ExpireAt: %+v", p)
	}
	noCreated := auditKey("ci", func(k *cloudapi.APIKey) { k.CreatedAt = nil })
	if _, err := planRotation(noCreated, r, auditNow, ""); err == nil || !strings.Contains(err.Error(), "give the new key's expiry") {
		t.Errorf("no createdAt: %v", err)
	}
	if _, err := planRotation(auditKey("ci", disabled), r, auditNow, ""); err == nil || !strings.Contains(err.Error(), "is disabled: enable it first") {
		t.Errorf("disabled key: %v", err)
	}
	grace := KeyRotation{Grace: 48 * time.Hour, Delete: true}
	if p, _ := planRotation(thirtyDays, grace, auditNow, ""); p == nil || p.OldKeyAction != KeyRotationKeepOld ||
		p.FinishWith != KeyRotationDeleteOld || !p.KeepUntil.Equal(auditNow.Add(48*time.Hour)) {
		t.Errorf("grace: %+v", p)
	}
	if p, _ := planRotation(auditKey("ci"), r, auditNow, "LONGKEYIDAB12"); p == nil || !p.OldKeyInUse {
		t.Errorf("key in use not recognised: %+v", p)
	}
}
