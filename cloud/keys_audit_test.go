package cloud

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

var auditNow = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

const auditDay = 24 * time.Hour

// auditKey is a key as the list gives it; the options change it.
func auditKey(name string, opts ...func(*cloudapi.APIKey)) cloudapi.APIKey {
	enabled := cloudapi.APIKeyStateEnabled
	created := auditNow.Add(-200 * auditDay)
	used := auditNow.Add(-time.Hour)
	k := cloudapi.APIKey{ID: ptr("uuid-" + name), Name: ptr(name), KeySuffix: ptr("AB12"), State: &enabled,
		CreatedAt: &created, UsedAt: &used, Roles: []cloudapi.APIKeyRoles{cloudapi.APIKeyRolesDeveloper},
		ExpireAt:     nullable.NewNullableWithValue(auditNow.Add(300 * auditDay)),
		IPAccessList: []cloudapi.IPAccessListEntry{{Source: ptr("203.0.113.0/24")}}}
	for _, o := range opts {
		o(&k)
	}
	return k
}

func expiresIn(d time.Duration) func(*cloudapi.APIKey) {
	return func(k *cloudapi.APIKey) { k.ExpireAt = nullable.NewNullableWithValue(auditNow.Add(d)) }
}
func neverExpires(k *cloudapi.APIKey)  { k.ExpireAt = nullable.NewNullNullable[time.Time]() }
func noExpiryField(k *cloudapi.APIKey) { k.ExpireAt = nil }
func usedAgo(d time.Duration) func(*cloudapi.APIKey) {
	return func(k *cloudapi.APIKey) { t := auditNow.Add(-d); k.UsedAt = &t }
}
func createdAgo(d time.Duration) func(*cloudapi.APIKey) {
	return func(k *cloudapi.APIKey) { t := auditNow.Add(-d); k.CreatedAt = &t }
}
func neverUsed(k *cloudapi.APIKey) { k.UsedAt = nil }
func disabled(k *cloudapi.APIKey) {
	s := cloudapi.APIKeyStateDisabled
	k.State = &s
}
func legacyAdmin(k *cloudapi.APIKey) { k.Roles = []cloudapi.APIKeyRoles{cloudapi.APIKeyRolesAdmin} }
func assigned(name string, typ cloudapi.AssignedRoleRoleType) func(*cloudapi.APIKey) {
	return func(k *cloudapi.APIKey) {
		k.AssignedRoles = []cloudapi.AssignedRole{{RoleID: ptr("role-" + name), RoleName: ptr(name), RoleType: &typ}}
	}
}
func ips(sources ...string) func(*cloudapi.APIKey) {
	return func(k *cloudapi.APIKey) {
		k.IPAccessList = nil
		for _, s := range sources {
			k.IPAccessList = append(k.IPAccessList, cloudapi.IPAccessListEntry{Source: ptr(s)})
		}
	}
}

// TestAuditKeysRules: each rule of KeyAuditRules finds its positive case at its level and not
// its near miss (the case just on the other side of its threshold or condition). Removing a
// rule fails its positive case; loosening it fails its near miss.
func TestAuditKeysRules(t *testing.T) {
	opts := KeyAuditOptions{Now: auditNow}
	cases := []struct {
		rule     string
		positive cloudapi.APIKey
		nearMiss cloudapi.APIKey
	}{
		{RuleExpiredEnabled, auditKey("expired", expiresIn(0)), auditKey("expired-but-disabled", expiresIn(-time.Hour), disabled)},
		{RuleExpiredEnabled, auditKey("expired-yesterday", expiresIn(-auditDay)), auditKey("expires-in-a-second", expiresIn(time.Second))},
		{RuleExpiring, auditKey("expiring", expiresIn(14*auditDay)), auditKey("not-yet-expiring", expiresIn(14*auditDay+time.Second))},
		{RuleNeverUsed, auditKey("never", neverUsed), auditKey("used-once", usedAgo(89*auditDay))},
		{RuleUnused, auditKey("unused", usedAgo(90*auditDay+time.Minute)), auditKey("used-90-days-ago", usedAgo(90*auditDay))},
		{RuleAdminNoExpiry, auditKey("admin-forever", legacyAdmin, neverExpires), auditKey("admin-expiring-later", legacyAdmin)},
		{RuleAdminNoExpiry, auditKey("assigned-admin-forever", assigned("Admin", cloudapi.AssignedRoleRoleTypeSystem), noExpiryField),
			auditKey("custom-admin-named-forever", assigned("Admin", cloudapi.AssignedRoleRoleTypeCustom), noExpiryField)},
		{RuleAdminNoExpiry, auditKey("assigned-admin-frozen-legacy", assigned("Admin", cloudapi.AssignedRoleRoleTypeSystem), neverExpires),
			// The legacy field is frozen once assigned roles are used: they decide.
			auditKey("demoted-frozen-admin", assigned("Developer", cloudapi.AssignedRoleRoleTypeSystem), legacyAdmin, neverExpires)},
		{RuleOpenToAll, auditKey("open-v4", ips("10.0.0.0/8", "0.0.0.0/0")), auditKey("wide-but-not-all", ips("0.0.0.0/1", "128.0.0.0/1"))},
		{RuleOpenToAll, auditKey("open-v6", ips("::/0")), auditKey("no-list", ips())},
		{RuleAdminNoExpiryOpen, auditKey("admin-open-forever", legacyAdmin, neverExpires, ips("0.0.0.0/0")),
			auditKey("admin-open-expiring", legacyAdmin, ips("0.0.0.0/0"))},
		{RuleDeleteCandidate, auditKey("long-disabled", disabled, usedAgo(30*auditDay+time.Minute)),
			auditKey("recently-disabled", disabled, usedAgo(30*auditDay))},
		{RuleDeleteCandidate, auditKey("disabled-never-used", disabled, neverUsed, createdAgo(31*auditDay)),
			auditKey("old-but-enabled", neverUsed, createdAgo(400*auditDay))},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.rule] = true
		t.Run(c.rule+"/"+*c.positive.Name, func(t *testing.T) {
			got := AuditKeys([]cloudapi.APIKey{c.positive}, opts)
			f := findingOf(got, c.rule)
			if f == nil {
				t.Fatalf("%s: no %s finding in %v", *c.positive.Name, c.rule, got)
			}
			if f.Level != ruleLevel(c.rule) || f.Level.rank() == 0 || f.KeyUUID != *c.positive.ID || f.Message == "" {
				t.Errorf("finding %+v", f)
			}
			if f := findingOf(AuditKeys([]cloudapi.APIKey{c.nearMiss}, opts), c.rule); f != nil {
				t.Errorf("%s (near miss): found %+v", *c.nearMiss.Name, f)
			}
		})
	}
	// too-many-admins is about the set: four usable admins, against three and an expired fourth.
	admins := func(n int) []cloudapi.APIKey {
		var keys []cloudapi.APIKey
		for i := range n {
			keys = append(keys, auditKey(fmt.Sprintf("admin-%d", i), legacyAdmin))
		}
		return keys
	}
	covered[RuleTooManyAdmins] = true
	four := AuditKeys(admins(4), opts)
	if n := countRule(four, RuleTooManyAdmins); n != 4 {
		t.Errorf("four admins (max 3): %d too-many-admins findings, want one per admin key: %v", n, four)
	}
	if n := countRule(AuditKeys(admins(4), KeyAuditOptions{Now: auditNow, MaxAdmin: 4}), RuleTooManyAdmins); n != 0 {
		t.Errorf("four admins with MaxAdmin 4: %d findings", n)
	}
	threeAndExpired := append(admins(3), auditKey("admin-expired", legacyAdmin, expiresIn(-auditDay)))
	if n := countRule(AuditKeys(threeAndExpired, opts), RuleTooManyAdmins); n != 0 {
		t.Errorf("three admins and an expired one: %d findings", n)
	}
	threeAndDisabled := append(admins(3), auditKey("admin-disabled", legacyAdmin, disabled))
	if n := countRule(AuditKeys(threeAndDisabled, opts), RuleTooManyAdmins); n != 0 {
		t.Errorf("three admins and a disabled one: %d findings", n)
	}
	for _, r := range KeyAuditRules {
		if !covered[r.ID] {
			t.Errorf("rule %s has no case here", r.ID)
		}
	}
}

// TestAuditKeysCombinations: the combined critical rule replaces its two warnings; an expired
// key gets only expired-enabled; a disabled key only delete-candidate; a key breaking nothing
// gets nothing.
func TestAuditKeysCombinations(t *testing.T) {
	opts := KeyAuditOptions{Now: auditNow}
	rulesOf := func(k cloudapi.APIKey) []string {
		var ids []string
		for _, f := range AuditKeys([]cloudapi.APIKey{k}, opts) {
			ids = append(ids, f.Rule)
		}
		return ids
	}
	for _, c := range []struct {
		key  cloudapi.APIKey
		want []string
	}{
		{auditKey("clean"), nil},
		// A state the document does not name is judged as enabled: an audit errs towards reporting.
		{auditKey("no-state", func(k *cloudapi.APIKey) { k.State = nil }, expiresIn(-auditDay)), []string{RuleExpiredEnabled}},
		{auditKey("admin-open-forever", legacyAdmin, neverExpires, ips("0.0.0.0/0")), []string{RuleAdminNoExpiryOpen}},
		{auditKey("expired-admin-open", legacyAdmin, expiresIn(-auditDay), ips("0.0.0.0/0"), neverUsed), []string{RuleExpiredEnabled}},
		{auditKey("disabled-admin-open", legacyAdmin, neverExpires, ips("0.0.0.0/0"), disabled, usedAgo(100*auditDay)), []string{RuleDeleteCandidate}},
		{auditKey("many", expiresIn(auditDay), ips("::/0"), usedAgo(100*auditDay)), []string{RuleExpiring, RuleOpenToAll, RuleUnused}},
	} {
		got := rulesOf(c.key)
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: rules %v, want %v", *c.key.Name, got, c.want)
		}
	}
}

// TestAuditKeysOrderAndCurrent: most serious first, then by name; the key in use (by the last
// four characters of the key ID, as the API lists keys) is marked, and only it.
func TestAuditKeysOrderAndCurrent(t *testing.T) {
	keys := []cloudapi.APIKey{
		auditKey("b-never", neverUsed),
		auditKey("a-never", neverUsed, func(k *cloudapi.APIKey) { k.KeySuffix = ptr("ZZ99") }),
		auditKey("z-expired", expiresIn(-auditDay)),
		auditKey("m-open", ips("0.0.0.0/0")),
	}
	got := AuditKeys(keys, KeyAuditOptions{Now: auditNow, CurrentKeyID: "OPAQUEKEYIDZZ99"})
	var order []string
	for _, f := range got {
		order = append(order, string(f.Level)+":"+f.KeyName)
		if f.Current != (f.KeyName == "a-never") {
			t.Errorf("%s: current %v", f.KeyName, f.Current)
		}
	}
	want := []string{"critical:z-expired", "warning:m-open", "info:a-never", "info:b-never"}
	if !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	if got := AuditKeys(keys, KeyAuditOptions{Now: auditNow, CurrentKeyID: "ZZ99"}); slices.ContainsFunc(got, func(f KeyFinding) bool { return f.Current }) {
		t.Error("a key ID no longer than the suffix matched")
	}
}

func TestKeyFindingLevels(t *testing.T) {
	for _, c := range []struct {
		l, m KeyFindingLevel
		want bool
	}{
		{KeyFindingCritical, KeyFindingWarning, true}, {KeyFindingWarning, KeyFindingWarning, true},
		{KeyFindingInfo, KeyFindingWarning, false}, {KeyFindingWarning, KeyFindingCritical, false},
		{KeyFindingLevel("bogus"), KeyFindingLevel("bogus"), false},
	} {
		if got := c.l.AtLeast(c.m); got != c.want {
			t.Errorf("%s.AtLeast(%s) = %v", c.l, c.m, got)
		}
	}
	if l, err := ParseKeyFindingLevel(" Critical "); err != nil || l != KeyFindingCritical {
		t.Errorf("parse: %v %v", l, err)
	}
	if _, err := ParseKeyFindingLevel("severe"); err == nil || !strings.Contains(err.Error(), "info, warning or critical") {
		t.Errorf("parse severe: %v", err)
	}
	for _, r := range KeyAuditRules {
		if r.Level.rank() == 0 || r.Description == "" {
			t.Errorf("rule %+v", r)
		}
	}
}

func findingOf(fs []KeyFinding, rule string) *KeyFinding {
	for i := range fs {
		if fs[i].Rule == rule {
			return &fs[i]
		}
	}
	return nil
}

func countRule(fs []KeyFinding, rule string) int {
	n := 0
	for _, f := range fs {
		if f.Rule == rule {
			n++
		}
	}
	return n
}
