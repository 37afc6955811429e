package cloud_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
)

// TestClientAuditKeysOnTheFake: keys brought into each state through the API and the fake's
// clock (used, then 95 days pass; expiring; expired; disabled; admin; open to all), audited by
// Client.AuditKeys: every rule fires on its key and nowhere else, and the findings of the key
// the client signs in with are marked.
func TestClientAuditKeysOnTheFake(t *testing.T) {
	e := newKeyEnv(t)
	ctx := context.Background()
	day := 24 * time.Hour
	at := func(d time.Duration) string { return `"expireAt":"` + keyEnvStart.Add(d).Format(time.RFC3339) + `"` }
	const office = `"ipAccessList":[{"source":"203.0.113.0/24"}]`
	used := map[string][2]string{} // name -> credential, for the keys used after the clock moved
	for _, k := range []struct{ name, body string }{
		{"short", `"roles":["developer"],` + office + `,` + at(10*day)},
		{"expiring", `"roles":["developer"],` + office + `,` + at(100*day)},
		{"stale", `"roles":["developer"],` + office + `,` + at(365*day)},
		{"never", `"roles":["developer"],` + office + `,` + at(365*day)},
		{"retired", `"roles":["developer"],` + office + `,` + at(365*day)},
		{"deploy", `"roles":["admin"],` + office},
		{"open", `"roles":["developer"],` + at(365*day)}, // no list: the fake's default, anywhere
		{"fresh", `"roles":["developer"],` + office + `,` + at(365*day)},
	} {
		key, id, secret := e.createKey(`{"name":"` + k.name + `",` + k.body + `}`)
		switch k.name {
		case "stale", "retired":
			if err := e.works(id, secret); err != nil {
				t.Fatal(err)
			}
			if k.name == "retired" {
				if err := cloud.Check(e.c.OpenapiKeyUpdateWithBodyWithResponse(ctx, e.org, *key.ID, "application/json",
					strings.NewReader(`{"state":"disabled"}`))); err != nil {
					t.Fatal(err)
				}
			}
		case "expiring", "deploy", "open", "fresh":
			used[k.name] = [2]string{id, secret}
		}
	}
	// Nothing is unused, expired or long disabled yet; only "short" expires within 14 days.
	now, err := e.c.AuditKeys(ctx, e.org, cloud.KeyAuditOptions{Now: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range now {
		switch f.Rule {
		case cloud.RuleUnused, cloud.RuleExpiredEnabled, cloud.RuleDeleteCandidate:
			t.Errorf("before the clock moved: %+v", f)
		case cloud.RuleExpiring:
			if f.KeyName != "short" {
				t.Errorf("before the clock moved: %+v", f)
			}
		}
	}

	e.clock.Advance(95 * day)
	for _, cred := range used {
		if err := e.works(cred[0], cred[1]); err != nil {
			t.Fatal(err)
		}
	}
	findings, err := e.c.AuditKeys(ctx, e.org, cloud.KeyAuditOptions{Now: e.clock.Now(), MaxAdmin: 1})
	if err != nil {
		t.Fatal(err)
	}
	own := *e.ownKey().Name
	var got []string
	for _, f := range findings {
		got = append(got, string(f.Level)+" "+f.Rule+" "+f.KeyName)
		if f.Current != (f.KeyName == own) {
			t.Errorf("%s: current %v", f.KeyName, f.Current)
		}
	}
	want := []string{
		"critical " + cloud.RuleAdminNoExpiryOpen + " " + own,
		"critical " + cloud.RuleExpiredEnabled + " short",
		"warning " + cloud.RuleAdminNoExpiry + " deploy",
		"warning " + cloud.RuleTooManyAdmins + " deploy",
		"warning " + cloud.RuleExpiring + " expiring",
		"warning " + cloud.RuleTooManyAdmins + " " + own,
		"warning " + cloud.RuleOpenToAll + " open",
		"warning " + cloud.RuleUnused + " stale",
		"info " + cloud.RuleNeverUsed + " never",
		"info " + cloud.RuleDeleteCandidate + " retired",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings\n%q\nwant\n%q", got, want)
	}
}
